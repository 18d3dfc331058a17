//! TEMPORARY: replaced by the lossless editor.
use serde_yaml_ng::{Mapping, Value};
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError { pub line: usize, pub column: usize, pub message: String }
#[derive(Debug)]
pub enum EditError { Parse(ParseError), IndexOutOfRange { path: String, index: usize, len: usize }, Unsupported { path: String, line: usize, reason: String }, Verify { path: String } }
impl std::fmt::Display for EditError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") } }
impl std::error::Error for EditError {}
pub fn parse(text: &str) -> Result<Value, ParseError> {
    if text.trim().is_empty() { return Ok(Value::Mapping(Mapping::new())); }
    let v: Value = serde_yaml_ng::from_str(text).map_err(|e| ParseError { line: e.location().map_or(0, |l| l.line()), column: e.location().map_or(0, |l| l.column()), message: e.to_string() })?;
    Ok(if v.is_null() { Value::Mapping(Mapping::new()) } else { v })
}
pub fn split_key(raw: &str, _doc: &Value) -> Vec<String> { raw.split('.').map(str::to_string).collect() }
pub fn set(text: &str, path: &[String], value: &Value) -> Result<String, EditError> {
    let mut doc = parse(text).map_err(EditError::Parse)?;
    let mut node = &mut doc;
    for seg in path { if !node.is_mapping() { *node = Value::Mapping(Mapping::new()); } let m = node.as_mapping_mut().unwrap(); node = m.entry(Value::String(seg.clone())).or_insert(Value::Null); }
    *node = value.clone();
    Ok(serde_yaml_ng::to_string(&doc).unwrap())
}
pub fn unset(text: &str, path: &[String]) -> Result<Option<String>, EditError> {
    let mut doc = parse(text).map_err(EditError::Parse)?;
    let mut node = &mut doc;
    for seg in &path[..path.len()-1] { match node.get_mut(seg.as_str()) { Some(n) => node = n, None => return Ok(None) } }
    let removed = node.as_mapping_mut().and_then(|m| m.remove(path[path.len()-1].as_str()));
    Ok(removed.map(|_| serde_yaml_ng::to_string(&doc).unwrap()))
}
