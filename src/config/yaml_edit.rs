//! Lossless editing of `config.yaml` for `hermes config set/unset`: only the lines of the
//! node being changed are rewritten; comments, blank lines, order and quoting survive.
//! Every edit is verified by re-parsing the result against the same edit applied to the tree.

use serde_yaml_ng::{Mapping, Value};
use std::fmt::{self, Write as _};

/// Where a config.yaml failed to parse (1-based line and column; 0 when unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(
                f,
                "line {}, column {}: {}",
                self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for ParseError {}

/// Why an edit of a config.yaml could not be made. No text is produced in any of these cases.
#[derive(Debug)]
pub enum EditError {
    /// The input text does not parse.
    Parse(ParseError),
    /// A numeric segment points beyond the end of a list (`index == len` appends, so `index > len`).
    IndexOutOfRange {
        path: String,
        index: usize,
        len: usize,
    },
    /// A construct on the edited path that this editor refuses to touch (1-based line).
    Unsupported {
        path: String,
        line: usize,
        reason: String,
    },
    /// The edited text did not re-parse to the expected tree (bug guard); nothing must be written.
    Verify { path: String },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(e) => write!(f, "the config file is not valid YAML: {e}"),
            Self::IndexOutOfRange { path, index, len } => write!(
                f,
                "`{path}`: index {index} is out of range (the list has {len} item(s); use {len} to append)"
            ),
            Self::Unsupported { path, line, reason } => {
                write!(f, "cannot edit `{path}` (line {line}): {reason}")
            }
            Self::Verify { path } => write!(
                f,
                "refusing to write `{path}`: the edited file would not read back as intended (this is a bug)"
            ),
        }
    }
}

impl std::error::Error for EditError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Parse(e) => Some(e),
            _ => None,
        }
    }
}

/// Parse YAML text into a Value; empty or comment-only text (or a bare `null`) is an empty mapping.
///
/// # Errors
/// A [`ParseError`] with the position of the first syntax error.
pub fn parse(text: &str) -> Result<Value, ParseError> {
    match serde_yaml_ng::from_str::<Value>(text) {
        Ok(Value::Null) => Ok(Value::Mapping(Mapping::new())),
        Ok(v) => Ok(v),
        Err(e) => {
            let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
            let message = e
                .to_string()
                .replace(&format!(" at line {line} column {column}"), "");
            Err(ParseError {
                line,
                column,
                message,
            })
        }
    }
}

/// Split a user-typed dotted key into path segments; `\.` is a literal dot (`\\` a backslash).
/// When, walking `doc`, a mapping already holds the whole dotted remainder as one key
/// (key `a.b.c` where `doc` has `a: {"b.c": 1}`), that key wins over splitting further.
#[must_use]
pub fn split_key(raw: &str, doc: &Value) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '.' {
            parts.push(String::new());
            continue;
        }
        let c = match (c, chars.peek()) {
            ('\\', Some(&n)) if n == '.' || n == '\\' => chars.next().unwrap_or(n),
            _ => c,
        };
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    let mut out = Vec::new();
    let mut node = Some(doc);
    for (i, part) in parts.iter().enumerate() {
        if parts.len() - i > 1
            && let Some(Value::Mapping(m)) = node
        {
            let joined = parts[i..].join(".");
            if m.keys().any(|k| key_matches(k, &joined)) {
                out.push(joined);
                return out;
            }
        }
        node = node.and_then(|n| child_of(n, part));
        out.push(part.clone());
    }
    out
}

/// Set `path` to `value`, creating missing mappings (a scalar, null or, for a non-numeric
/// segment, a sequence on the way becomes a mapping). At a sequence a numeric segment edits
/// (`< len`) or appends (`== len`). Returns the new full text, verified by re-parsing.
///
/// # Errors
/// See [`EditError`]; on error nothing must be written.
pub fn set(text: &str, path: &[String], value: &Value) -> Result<String, EditError> {
    edit(text, path, Op::Set(value)).map(|out| out.unwrap_or_else(|| text.to_string()))
}

/// Remove `path`; `Ok(None)` when it does not exist. A mapping or sequence emptied by the
/// removal becomes `{}` / `[]`. A numeric segment at a sequence removes that item.
///
/// # Errors
/// See [`EditError`]; on error nothing must be written.
pub fn unset(text: &str, path: &[String]) -> Result<Option<String>, EditError> {
    edit(text, path, Op::Unset)
}

// ---------------------------------------------------------------------------------------------
// The edit as a pure tree operation (the expected result the text edit is verified against).

#[derive(Clone, Copy)]
enum Op<'a> {
    Set(&'a Value),
    Unset,
}

fn key_matches(key: &Value, seg: &str) -> bool {
    match key {
        Value::String(s) => s == seg,
        Value::Number(n) => n.to_string() == seg,
        Value::Bool(b) => b.to_string() == seg,
        _ => false,
    }
}

fn index_of(seg: &str) -> Option<usize> {
    if seg.is_empty() || !seg.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    seg.parse().ok()
}

fn child_of<'v>(node: &'v Value, seg: &str) -> Option<&'v Value> {
    match node {
        Value::Mapping(m) => m.iter().find(|(k, _)| key_matches(k, seg)).map(|(_, v)| v),
        Value::Sequence(s) => s.get(index_of(seg)?),
        _ => None,
    }
}

/// Apply `op` at `path[at..]` below `node`; `Ok(false)` when an unset finds nothing.
fn tree_apply(node: &mut Value, path: &[String], at: usize, op: Op) -> Result<bool, EditError> {
    let seg = &path[at];
    let last = at + 1 == path.len();
    if let (Value::Sequence(items), Some(i)) = (&mut *node, index_of(seg)) {
        let len = items.len();
        if i > len || (i == len && matches!(op, Op::Unset)) {
            return match op {
                Op::Set(_) => Err(EditError::IndexOutOfRange {
                    path: path[..=at].join("."),
                    index: i,
                    len,
                }),
                Op::Unset => Ok(false),
            };
        }
        if i == len {
            items.push(Value::Null);
        }
        return match (last, op) {
            (true, Op::Set(v)) => {
                items[i] = v.clone();
                Ok(true)
            }
            (true, Op::Unset) => {
                items.remove(i);
                Ok(true)
            }
            (false, _) => tree_apply(&mut items[i], path, at + 1, op),
        };
    }
    if !node.is_mapping() {
        if matches!(op, Op::Unset) {
            return Ok(false);
        }
        *node = Value::Mapping(Mapping::new());
    }
    let Value::Mapping(map) = node else {
        return Ok(false);
    };
    let key = map.keys().find(|k| key_matches(k, seg)).cloned();
    match (key, op) {
        (Some(k), Op::Unset) if last => Ok(map.shift_remove(&k).is_some()),
        (Some(k), Op::Set(v)) if last => {
            map.insert(k, v.clone());
            Ok(true)
        }
        (Some(k), _) => match map.get_mut(&k) {
            Some(child) => tree_apply(child, path, at + 1, op),
            None => Ok(false),
        },
        (None, Op::Unset) => Ok(false),
        (None, Op::Set(v)) => {
            let mut child = v.clone();
            if !last {
                child = Value::Null;
                tree_apply(&mut child, path, at + 1, op)?;
            }
            map.insert(Value::String(seg.clone()), child);
            Ok(true)
        }
    }
}

/// Order-sensitive tree equality (serde's mapping equality ignores key order).
fn same_tree(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Mapping(x), Value::Mapping(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k1, v1), (k2, v2))| same_tree(k1, k2) && same_tree(v1, v2))
        }
        (Value::Sequence(x), Value::Sequence(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_tree(p, q))
        }
        (Value::Tagged(x), Value::Tagged(y)) => x.tag == y.tag && same_tree(&x.value, &y.value),
        _ => a == b,
    }
}

fn verify(out: String, expected: &Value, path: &[String]) -> Result<String, EditError> {
    match parse(&out) {
        Ok(actual) if same_tree(&actual, expected) => Ok(out),
        _ => Err(EditError::Verify {
            path: path.join("."),
        }),
    }
}

fn edit(text: &str, path: &[String], op: Op) -> Result<Option<String>, EditError> {
    if path.is_empty() {
        return Err(EditError::Unsupported {
            path: String::new(),
            line: 1,
            reason: "the key is empty".into(),
        });
    }
    let tree = parse(text).map_err(EditError::Parse)?;
    let mut expected = tree.clone();
    if !tree_apply(&mut expected, path, 0, op)? {
        return Ok(None);
    }
    let mut doc = Doc::load(text);
    let splice = Ctx {
        doc: &doc,
        path,
        op,
    }
    .plan(&tree)?;
    doc.splice(splice);
    verify(doc.render(), &expected, path).map(Some)
}

// ---------------------------------------------------------------------------------------------
// The text side: lines with their own endings, and one splice per edit.

struct Doc {
    lines: Vec<String>,
    eols: Vec<&'static str>,
    eol: &'static str,
    steps: Vec<(usize, usize)>,
}

/// Replace lines `.0...1` with the lines `.2`.
struct Splice(usize, usize, Vec<String>);

impl Doc {
    fn load(text: &str) -> Self {
        let (mut lines, mut eols) = (Vec::new(), Vec::new());
        let mut rest = text;
        while !rest.is_empty() {
            let (line, eol, next) = match rest.find('\n') {
                Some(i) if rest[..i].ends_with('\r') => (&rest[..i - 1], "\r\n", &rest[i + 1..]),
                Some(i) => (&rest[..i], "\n", &rest[i + 1..]),
                None => (rest, "", ""),
            };
            lines.push(line.to_string());
            eols.push(eol);
            rest = next;
        }
        let eol = eols.iter().find(|e| !e.is_empty()).copied().unwrap_or("\n");
        let steps = detect_steps(&lines);
        Doc {
            lines,
            eols,
            eol,
            steps,
        }
    }

    fn render(&self) -> String {
        self.lines
            .iter()
            .zip(&self.eols)
            .flat_map(|(l, e)| [l.as_str(), e])
            .collect()
    }

    fn splice(&mut self, Splice(start, end, lines): Splice) {
        let n = self.lines.len();
        let mut eols = vec![self.eol; lines.len()];
        if end == n && start < n {
            // The old last line's ending (possibly none) moves to the new last line.
            match eols.last_mut() {
                Some(last) => *last = self.eols[n - 1],
                None if start > 0 => self.eols[start - 1] = self.eols[n - 1],
                None => {}
            }
        } else if start == n && n > 0 && !lines.is_empty() {
            self.eols[n - 1] = self.eol;
        }
        self.lines.splice(start..end, lines);
        self.eols.splice(start..end, eols);
    }

    /// Indentation unit for new nested levels written at line `pos`: the step of the nearest
    /// nested mapping above it (else the first one in the file), 2 when there is none.
    fn unit_at(&self, pos: usize) -> usize {
        let before = self.steps.iter().rev().find(|(line, _)| *line < pos);
        before.or(self.steps.first()).map_or(2, |&(_, step)| step)
    }

    /// First line holding document content (skipping blanks, comments, `---` and directives).
    fn first_content(&self) -> Option<usize> {
        self.lines.iter().position(|l| {
            let t = l.trim();
            let marker = t.strip_prefix("---").is_some_and(|r| {
                r.is_empty() || r.starts_with([' ', '\t']) && r.trim_start().starts_with('#')
            });
            !(t.is_empty() || t.starts_with('#') || t.starts_with('%') || marker)
        })
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_dash(s: &str) -> bool {
    s == "-" || s.starts_with("- ") || s.starts_with("-\t")
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Index just past the closing quote of the quoted scalar starting at `from`.
fn close_quote(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let q = b[from];
    let mut j = from + 1;
    while j < b.len() {
        match b[j] {
            b'\\' if q == b'"' => j += 1,
            b'\'' if q == b'\'' && b.get(j + 1) == Some(&b'\'') => j += 1,
            c if c == q => return Some(j + 1),
            _ => {}
        }
        j += 1;
    }
    None
}

/// Index just past the flow collection starting at `from`, if it closes on this line.
fn close_flow(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (mut depth, mut j, mut prev) = (0usize, from, b'[');
    while j < b.len() {
        match b[j] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            b'"' | b'\'' if matches!(prev, b'[' | b'{' | b',' | b':' | b'?') => {
                j = close_quote(text, j)? - 1;
            }
            b'#' if is_ws(b[j - 1]) => return None,
            _ => {}
        }
        if !is_ws(b[j]) {
            prev = b[j];
        }
        j += 1;
    }
    None
}

/// End of the value text starting at `from` (before any trailing comment and whitespace).
fn value_end(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let cut = (from.max(1)..b.len())
        .find(|&j| b[j] == b'#' && is_ws(b[j - 1]))
        .unwrap_or(b.len());
    text[..cut].trim_end().len().max(from)
}

/// Position of the `:` ending a block mapping key that starts at `from`.
fn find_map_colon(text: &str, from: usize) -> Option<usize> {
    let b = &text.as_bytes()[from..];
    let mut j = match *b.first()? {
        b'"' | b'\'' => close_quote(text, from)? - from,
        b'&' | b'!' => {
            // An anchor or tag on the key: skip the property and look at the key itself.
            let end = b.iter().position(|&c| is_ws(c))?;
            let skip = b[end..].iter().take_while(|&&c| is_ws(c)).count();
            return find_map_colon(text, from + end + skip);
        }
        b'[' | b'{' | b'#' | b'*' | b'|' | b'>' | b'%' | b'@' | b'`' => return None,
        b'?' | b'-' if b.len() == 1 || is_ws(b[1]) => return None,
        _ => 0,
    };
    let quoted = j > 0;
    while j < b.len() {
        match b[j] {
            b':' if j + 1 == b.len() || is_ws(b[j + 1]) => return Some(from + j),
            b'#' if j > 0 && is_ws(b[j - 1]) => return None,
            c if quoted && !is_ws(c) => return None,
            _ => {}
        }
        j += 1;
    }
    None
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Map,
    Seq,
}

/// What follows a `key:` or `-` indicator on its own line.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Inline {
    Empty,
    Scalar,
    BlockScalar,
    Flow,
    MultiLineFlow,
    MultiLineQuoted,
    Special,
    Compact(Kind),
}

/// Classify the value after an indicator ending at `from`: (value start, value end, kind).
fn classify(text: &str, from: usize, item: bool) -> (usize, usize, Inline) {
    let vs = text.len() - text[from..].trim_start_matches([' ', '\t']).len();
    let v = &text[vs..];
    let Some(&first) = v.as_bytes().first() else {
        return (vs, from, Inline::Empty);
    };
    let inline = match first {
        b'#' => return (vs, from, Inline::Empty),
        b'&' | b'*' | b'!' => Inline::Special,
        b'?' if v.len() == 1 || is_ws(v.as_bytes()[1]) => Inline::Special,
        _ if item && is_dash(v) => Inline::Compact(Kind::Seq),
        _ if item && find_map_colon(text, vs).is_some() => Inline::Compact(Kind::Map),
        b'|' | b'>' => Inline::BlockScalar,
        b'"' | b'\'' => match close_quote(text, vs) {
            Some(q) => return (vs, value_end(text, q), Inline::Scalar),
            None => return (vs, text.len(), Inline::MultiLineQuoted),
        },
        b'[' | b'{' => match close_flow(text, vs) {
            Some(q) => return (vs, value_end(text, q), Inline::Flow),
            None => return (vs, text.len(), Inline::MultiLineFlow),
        },
        _ => Inline::Scalar,
    };
    (vs, value_end(text, vs), inline)
}

/// Column of the node owning a block scalar opened on `text` (`key: |`, `- |`, `- k: >-`).
fn scalar_owner(text: &str, mut col: usize) -> Option<usize> {
    let mut dash = None;
    while is_dash(&text[col..]) {
        dash = Some(col);
        col = text.len() - text[col + 1..].trim_start_matches([' ', '\t']).len();
    }
    if let Some(c) = find_map_colon(text, col) {
        return (classify(text, c + 1, false).2 == Inline::BlockScalar).then_some(col);
    }
    let d = dash?;
    (classify(text, d + 1, false).2 == Inline::BlockScalar).then_some(d)
}

/// Each `(line, step)` where a nested key line is indented `step` columns below its `key:`.
fn detect_steps(lines: &[String]) -> Vec<(usize, usize)> {
    let (mut steps, mut prev, mut scalar) = (Vec::new(), None::<usize>, None::<usize>);
    for (i, text) in lines.iter().enumerate() {
        let ind = indent_of(text);
        let body = text[ind..].trim_end();
        if body.is_empty() || body.starts_with('#') || scalar.is_some_and(|s| ind > s) {
            continue;
        }
        let colon = find_map_colon(text, ind);
        if let (Some(pi), Some(_)) = (prev, colon)
            && (1..=8).contains(&(ind.saturating_sub(pi)))
        {
            steps.push((i, ind - pi));
        }
        scalar = scalar_owner(text, ind);
        prev = colon
            .filter(|&c| classify(text, c + 1, false).2 == Inline::Empty)
            .map(|_| ind);
    }
    steps
}

/// Where a value lives: its indicator line and the lines `line..end` it spans.
#[derive(Debug)]
struct Slot {
    line: usize,
    ind_end: usize,
    val_start: usize,
    val_end: usize,
    end: usize,
    inline: Inline,
}

#[derive(Debug)]
struct Item {
    key: Option<Value>,
    slot: Slot,
}

/// A block mapping or sequence whose keys/dashes sit at column `indent`.
#[derive(Debug)]
struct Block {
    kind: Kind,
    indent: usize,
    start: usize,
    end: usize,
    append_at: usize,
    items: Vec<Item>,
}

/// The slot holding a block collection, for replacing it when the collection is emptied.
#[derive(Clone, Copy)]
struct Parent<'b> {
    slot: &'b Slot,
    kind: Kind,
    indent: usize,
}

struct Ctx<'a> {
    doc: &'a Doc,
    path: &'a [String],
    op: Op<'a>,
}

impl Ctx<'_> {
    fn unsupported(&self, line: usize, reason: &str) -> EditError {
        EditError::Unsupported {
            path: self.path.join("."),
            line: line + 1,
            reason: reason.to_string(),
        }
    }

    fn lost(&self, line: usize) -> EditError {
        self.unsupported(
            line,
            "the file's layout could not be matched to its content",
        )
    }

    fn plan(&self, tree: &Value) -> Result<Splice, EditError> {
        let doc = self.doc;
        let Some(first) = doc.first_content() else {
            return self.append_lines(doc.lines.len(), Kind::Map, 0, 0);
        };
        let text = &doc.lines[first];
        if text.starts_with("---") || text.starts_with("...") {
            return Err(self.unsupported(first, "content on a document marker line"));
        }
        let ind = indent_of(text);
        let kind = if is_dash(&text[ind..]) {
            Some(Kind::Seq)
        } else {
            find_map_colon(text, ind).map(|_| Kind::Map)
        };
        // The document ends at a `...` marker line, if any; new top-level keys go before it.
        let limit = (first..doc.lines.len())
            .find(|&i| {
                doc.lines[i]
                    .strip_prefix("...")
                    .is_some_and(|r| r.trim().is_empty())
            })
            .unwrap_or(doc.lines.len());
        if let Some(kind) = kind
            && (kind == Kind::Map || index_of(&self.path[0]).is_some())
        {
            let mut block = self.scan(first, limit, ind, kind)?;
            block.append_at = limit;
            return self.edit_block(&block, tree, 0, None);
        }
        // A scalar, flow or (for a name) sequence root: rewrite the whole root as a block.
        let mut new = tree.clone();
        tree_apply(&mut new, self.path, 0, self.op)?;
        let end = (first..limit)
            .rev()
            .find(|&i| !doc.lines[i].trim().is_empty() && !doc.lines[i].trim().starts_with('#'))
            .map_or(first, |i| i + 1);
        let mut lines = Vec::new();
        if is_block(&new) {
            emit(&new, 0, doc.unit_at(end), &mut lines).map_err(|r| self.unsupported(first, &r))?;
        } else if new.as_sequence().is_some() {
            lines.push("[]".into());
        }
        Ok(Splice(first, end, lines))
    }

    /// Scan the block collection whose first entry starts at column `indent` of line `start`.
    fn scan(
        &self,
        start: usize,
        limit: usize,
        indent: usize,
        kind: Kind,
    ) -> Result<Block, EditError> {
        let doc = self.doc;
        let mut items: Vec<Item> = Vec::new();
        let (mut last, mut scalar) = (start, None::<usize>);
        for i in start..limit {
            let text = &doc.lines[i];
            let ind = indent_of(text);
            if i > start {
                let body = &text[ind..];
                // Lines inside a block scalar are content even when they look like comments.
                let in_scalar = scalar.is_some_and(|s| ind > s);
                if body.trim().is_empty() || (body.starts_with('#') && !in_scalar) {
                    continue;
                }
                if ind < indent || (ind == indent && kind == Kind::Seq && !is_dash(body)) {
                    break;
                }
                if ind > indent || (kind == Kind::Map && is_dash(body)) {
                    last = i;
                    if !in_scalar {
                        scalar = scalar_owner(text, ind);
                    }
                    continue;
                }
            }
            if let Some(prev) = items.last_mut() {
                prev.slot.end = last + 1;
            }
            let (key, ind_end) = match kind {
                Kind::Map => {
                    let c = find_map_colon(text, indent)
                        .ok_or_else(|| self.unsupported(i, "expected a `key: value` line"))?;
                    (
                        serde_yaml_ng::from_str::<Value>(text[indent..c].trim_end()).ok(),
                        c + 1,
                    )
                }
                Kind::Seq if is_dash(&text[indent..]) => (None, indent + 1),
                Kind::Seq => return Err(self.unsupported(i, "expected a `- item` line")),
            };
            let (val_start, val_end, inline) = classify(text, ind_end, kind == Kind::Seq);
            scalar = scalar_owner(text, indent);
            items.push(Item {
                key,
                slot: Slot {
                    line: i,
                    ind_end,
                    val_start,
                    val_end,
                    end: i + 1,
                    inline,
                },
            });
            last = i;
        }
        if let Some(prev) = items.last_mut() {
            prev.slot.end = last + 1;
        }
        Ok(Block {
            kind,
            indent,
            start,
            end: last + 1,
            append_at: last + 1,
            items,
        })
    }

    /// The block collection held by a slot, if its value is one.
    fn child_block(&self, slot: &Slot) -> Result<Option<Block>, EditError> {
        match slot.inline {
            Inline::Compact(kind) => self
                .scan(slot.line, slot.end, slot.val_start, kind)
                .map(Some),
            Inline::Empty => {
                let lines = &self.doc.lines;
                let Some(first) = (slot.line + 1..slot.end).find(|&i| {
                    !lines[i].trim().is_empty() && !lines[i].trim_start().starts_with('#')
                }) else {
                    return Ok(None);
                };
                let ind = indent_of(&lines[first]);
                let kind = if is_dash(&lines[first][ind..]) {
                    Kind::Seq
                } else if find_map_colon(&lines[first], ind).is_some() {
                    Kind::Map
                } else {
                    return Ok(None);
                };
                self.scan(first, slot.end, ind, kind).map(Some)
            }
            _ => Ok(None),
        }
    }

    fn check_plain(&self, slot: &Slot) -> Result<(), EditError> {
        match slot.inline {
            Inline::Special => Err(self.unsupported(
                slot.line,
                "anchors, aliases, tags and complex keys on the edited path are not supported",
            )),
            Inline::MultiLineFlow => Err(self.unsupported(
                slot.line,
                "multi-line flow collections on the edited path are not supported",
            )),
            _ => Ok(()),
        }
    }

    fn edit_block(
        &self,
        block: &Block,
        cur: &Value,
        at: usize,
        parent: Option<Parent>,
    ) -> Result<Splice, EditError> {
        let seg = &self.path[at];
        let found = match block.kind {
            Kind::Map => block
                .items
                .iter()
                .position(|it| it.key.as_ref().is_some_and(|k| key_matches(k, seg))),
            Kind::Seq => index_of(seg).filter(|&i| i < block.items.len()),
        };
        let Some(i) = found else {
            return match self.op {
                Op::Set(_)
                    if block.kind == Kind::Map || index_of(seg) == Some(block.items.len()) =>
                {
                    self.append_lines(block.append_at, block.kind, block.indent, at)
                }
                _ => Err(self.lost(block.start)),
            };
        };
        let slot = &block.items[i].slot;
        let sub = child_of(cur, seg).ok_or_else(|| self.lost(slot.line))?;
        self.check_plain(slot)?;
        let here = Parent {
            slot,
            kind: block.kind,
            indent: block.indent,
        };
        if at + 1 == self.path.len() {
            return match self.op {
                Op::Set(v) => self.replace(here, v),
                Op::Unset => self.remove(block, i, parent),
            };
        }
        if let Some(child) = self.child_block(slot)?
            && (child.kind == Kind::Map || index_of(&self.path[at + 1]).is_some())
        {
            return self.edit_block(&child, sub, at + 1, Some(here));
        }
        // Scalar, null, flow or block scalar (or a sequence given a name): rewrite the node.
        let mut new = sub.clone();
        tree_apply(&mut new, self.path, at + 1, self.op)?;
        self.replace(here, &new)
    }

    /// New lines for `path[at]` (with the rest of the path created below it), inserted at `pos`.
    fn append_lines(
        &self,
        pos: usize,
        kind: Kind,
        indent: usize,
        at: usize,
    ) -> Result<Splice, EditError> {
        let Op::Set(v) = self.op else {
            return Err(self.lost(pos));
        };
        let mut value = v.clone();
        if at + 1 < self.path.len() {
            value = Value::Null;
            tree_apply(&mut value, self.path, at + 1, self.op)?;
        }
        let node = match kind {
            Kind::Map => Value::Mapping(
                std::iter::once((Value::String(self.path[at].clone()), value)).collect(),
            ),
            Kind::Seq => Value::Sequence(vec![value]),
        };
        let mut lines = Vec::new();
        emit(&node, indent, self.doc.unit_at(pos), &mut lines)
            .map_err(|r| self.unsupported(pos, &r))?;
        Ok(Splice(pos, pos, lines))
    }

    /// Rewrite the value of a slot, keeping its indicator prefix and trailing comment.
    fn replace(&self, at: Parent, v: &Value) -> Result<Splice, EditError> {
        let slot = at.slot;
        let line = &self.doc.lines[slot.line];
        let prefix = &line[..slot.ind_end];
        let tail = match slot.inline {
            Inline::Compact(_) | Inline::MultiLineQuoted | Inline::MultiLineFlow => "",
            _ => &line[slot.val_end..],
        };
        let tail = if tail.trim().is_empty() { "" } else { tail };
        let mut lines = Vec::new();
        if is_block(v) {
            let unit = self.doc.unit_at(slot.end);
            let ci = at.indent + if at.kind == Kind::Seq { 2 } else { unit };
            let mut body = Vec::new();
            emit(v, ci, unit, &mut body).map_err(|r| self.unsupported(slot.line, &r))?;
            if at.kind == Kind::Seq && tail.is_empty() && !body.is_empty() {
                body[0] = format!("{prefix} {}", &body[0][ci..]);
            } else {
                lines.push(format!("{prefix}{tail}"));
            }
            lines.extend(body);
        } else {
            let text = scalar(v).map_err(|r| self.unsupported(slot.line, &r))?;
            lines.push(format!("{prefix} {text}{tail}"));
        }
        Ok(Splice(slot.line, slot.end, lines))
    }

    /// Remove item `i` of `block`; an emptied block becomes `{}` / `[]`.
    fn remove(&self, block: &Block, i: usize, parent: Option<Parent>) -> Result<Splice, EditError> {
        let empty = match block.kind {
            Kind::Map => Value::Mapping(Mapping::new()),
            Kind::Seq => Value::Sequence(Vec::new()),
        };
        if block.items.len() == 1 {
            if let Some(p) = parent {
                return self.replace(p, &empty);
            }
            // The root: an emptied mapping is an empty (comment-only) document.
            let lines = if empty.is_sequence() {
                vec!["[]".into()]
            } else {
                Vec::new()
            };
            return Ok(Splice(block.start, block.end, lines));
        }
        let slot = &block.items[i].slot;
        let head = &self.doc.lines[block.start][..block.indent];
        if i == 0 && !head.trim().is_empty() {
            // `- a: 1` / `  b: 2` minus `a`: the dash moves onto the next entry's line.
            let next = block.items[1].slot.line;
            let mut lines = self.doc.lines[slot.end..next].to_vec();
            lines.push(format!("{head}{}", &self.doc.lines[next][block.indent..]));
            return Ok(Splice(slot.line, next + 1, lines));
        }
        Ok(Splice(slot.line, slot.end, Vec::new()))
    }
}

/// Emit a non-empty mapping/sequence in block style at `indent`, nesting by `unit`.
fn emit(v: &Value, indent: usize, unit: usize, out: &mut Vec<String>) -> Result<(), String> {
    let pad = " ".repeat(indent);
    match v {
        Value::Mapping(m) => {
            for (k, val) in m {
                let key = scalar(k)?;
                if is_block(val) {
                    out.push(format!("{pad}{key}:"));
                    emit(val, indent + unit, unit, out)?;
                } else {
                    out.push(format!("{pad}{key}: {}", scalar(val)?));
                }
            }
        }
        Value::Sequence(items) => {
            for item in items {
                if is_block(item) {
                    let mut sub = Vec::new();
                    emit(item, indent + 2, unit, &mut sub)?;
                    if let Some(first) = sub.first_mut() {
                        *first = format!("{pad}- {}", &first[indent + 2..]);
                    }
                    out.extend(sub);
                } else {
                    out.push(format!("{pad}- {}", scalar(item)?));
                }
            }
        }
        _ => out.push(format!("{pad}{}", scalar(v)?)),
    }
    Ok(())
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Mapping(m) => !m.is_empty(),
        Value::Sequence(s) => !s.is_empty(),
        _ => false,
    }
}

/// Plain strings that YAML 1.1 readers (e.g. `PyYAML`) would not read back as strings.
fn yaml11_ambiguous(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~" | "<<" | "="
    ) || (s.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c))
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_:.+-".contains(c)))
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One-line YAML text for a scalar (or empty collection) that reads back as the same Value.
fn scalar(v: &Value) -> Result<String, String> {
    match v {
        Value::Mapping(m) if m.is_empty() => return Ok("{}".into()),
        Value::Sequence(s) if s.is_empty() => return Ok("[]".into()),
        Value::Mapping(_) | Value::Sequence(_) => return Err("a key must be a scalar".into()),
        Value::String(s) if s.contains(['\n', '\r']) => return Ok(double_quoted(s)),
        _ => {}
    }
    let out = serde_yaml_ng::to_string(v).map_err(|e| e.to_string())?;
    let text = out
        .strip_prefix("--- ")
        .unwrap_or(&out)
        .trim_end_matches('\n');
    if text.contains('\n') {
        return Err("this value cannot be written on one line".into());
    }
    match v {
        Value::String(s) if !text.starts_with(['\'', '"']) && yaml11_ambiguous(s) => {
            Ok(format!("'{}'", s.replace('\'', "''")))
        }
        _ => Ok(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run `set KEY YAML` or `unset KEY` against `text` (the key goes through `split_key`).
    fn run(text: &str, cmd: &str) -> Result<Option<String>, EditError> {
        let (op, rest) = cmd.split_once(' ').unwrap();
        let (key, val) = rest.split_once(' ').unwrap_or((rest, ""));
        let path = split_key(key, &parse(text).unwrap_or_default());
        match op {
            "set" => set(text, &path, &serde_yaml_ng::from_str(val).unwrap()).map(Some),
            _ => unset(text, &path),
        }
    }

    /// `cases[0]` is the input; each other case is `CMD => FULL RESULT`, `CMD ~> OLD|NEW` (the
    /// input with its first OLD replaced by NEW) or `CMD +> SUFFIX` (the input + SUFFIX).
    fn check(cases: &[&str]) {
        let text = cases[0];
        for case in &cases[1..] {
            let want = |sep| case.split_once(sep);
            let (cmd, want) = if let Some((cmd, full)) = want(" => ") {
                (cmd, full.to_string())
            } else if let Some((cmd, change)) = want(" ~> ") {
                let (old, new) = change.split_once('|').unwrap();
                assert!(text.contains(old), "{case}");
                (cmd, text.replacen(old, new, 1))
            } else {
                let (cmd, suffix) = want(" +> ").unwrap();
                (cmd, format!("{text}{suffix}"))
            };
            let got = run(text, cmd).unwrap_or_else(|e| panic!("{cmd}: {e}"));
            assert_eq!(got.as_deref(), Some(want.as_str()), "{cmd}");
        }
    }

    const CFG: &str = "# Hermes config\n\nmodel:\n  default: gpt-4  # the model\n  provider: openai\n\n# Terminal settings\nterminal:\n  backend: local   # local|docker\n  timeout: 60\n";

    #[test]
    fn scalar_edits_keep_trailing_comments_and_everything_else() {
        check(&[
            CFG,
            "set model.default gpt-4o ~> gpt-4  #|gpt-4o  #",
            "set terminal.timeout 120 ~> timeout: 60|timeout: 120",
            "set terminal.backend docker ~> local   #|docker   #",
        ]);
    }

    #[test]
    fn new_keys_go_at_the_end_of_their_parent() {
        check(&[
            CFG,
            "set model.base_url http://localhost:8080/v1 ~> openai\n|openai\n  base_url: http://localhost:8080/v1\n",
            "set display.skin mono +> display:\n  skin: mono\n",
        ]);
        // After the parent's last content line (deepest child included), before the blank
        // lines and comments leading to the next shallower sibling.
        check(&[
            "a:\n  b:\n    c: 1\n  # commented: option\n\n# next\nd: 1\n",
            "set a.e 2 ~> c: 1\n|c: 1\n  e: 2\n",
            "set a.b.f 2 ~> c: 1\n|c: 1\n    f: 2\n",
        ]);
    }

    #[test]
    fn indentation_unit_is_detected_for_created_maps() {
        check(&[
            "agent:\n    max_turns: 10\n    tools:\n        web: true\n# end\n",
            "set agent.memory.enabled true ~> true\n|true\n    memory:\n        enabled: true\n",
            "set agent.tools.shell.mode safe ~> true\n|true\n        shell:\n            mode: safe\n",
            "set x.y.z 1 +> x:\n    y:\n        z: 1\n",
        ]);
        check(&["a:\n  b: 1\n", "set c.d 1 +> c:\n  d: 1\n"]);
        // Mixed files: a new level follows the nearest nested mapping above it.
        check(&[
            "m:\n  a: 1\ns:\n- x\nagent:\n    b: 1\n",
            "set d.e 1 +> d:\n    e: 1\n",
            "set m.c.d 1 ~>   a: 1\n|  a: 1\n  c:\n    d: 1\n",
            "set agent.c.d 1 +>     c:\n        d: 1\n",
            "set m {x: {y: 1}} ~>   a: 1|  x:\n    y: 1",
        ]);
    }

    #[test]
    fn scalars_and_blocks_replace_each_other() {
        check(&[
            "model: \"provider/x\"  # legacy\nother: 1\n",
            "set model.default x => model:  # legacy\n  default: x\nother: 1\n",
            "set model {a: 1, b: [p, {q: r}]} => model:  # legacy\n  a: 1\n  b:\n    - p\n    - q: r\nother: 1\n",
        ]);
        check(&["a:\nb: 2\n", "set a.c.d 1 => a:\n  c:\n    d: 1\nb: 2\n"]);
        check(&[
            "a:  # n\n  x: 1\n  # in\n  y:\n    - p\nb: 2\n",
            "set a f => a: f  # n\nb: 2\n",
        ]);
        check(&["a:\n  - 1\nb: 2\n", "set a.x 1 => a:\n  x: 1\nb: 2\n"]);
        check(&["a:\n  next line\nb: 2\n", "set a.x 1 => a:\n  x: 1\nb: 2\n"]);
    }

    #[test]
    fn values_are_quoted_so_they_read_back_the_same() {
        let cases = [
            "false",
            "42",
            "-1.5",
            "null",
            "gpt-4o",
            "'-5'",
            "'true'",
            "yes=>'yes'",
            "'on'=>'on'",
            "''",
            "'a: b'",
            "'#x'",
            "1_000=>'1_000'",
            "it's",
            "\"2\\nlines\"",
            "[]",
            "{}",
        ];
        for case in cases {
            let (input, text) = case.split_once("=>").unwrap_or((case, case));
            check(&[
                "k: old  # c\n",
                &format!("set k {input} => k: {text}  # c\n"),
            ]);
        }
        check(&[
            "a: 1\n",
            "set new\\.key 'x y' +> new.key: x y\n",
            "set on 1 +> 'on': 1\n",
        ]);
    }

    #[test]
    fn block_scalars_are_replaced_whole() {
        check(&[
            "prompt: |  # system\n  line one\n  # not a comment\n\n  line two\nnext: 1\n",
            "set prompt short => prompt: short  # system\nnext: 1\n",
        ]);
        check(&[
            "a: >-\n  folded\n  # text\nb: 2\n",
            "set b 3 ~> b: 2|b: 3",
            "set a.x 1 => a:\n  x: 1\nb: 2\n",
        ]);
        check(&[
            "l:\n  - k: |\n      body\n      # body too\nz: 1\n",
            "set l.0.j 1 ~> too\n|too\n    j: 1\n",
        ]);
    }

    const PROVIDERS: &str = "custom_providers:\n  - name: local  # first\n    api_key: old\n  - name: other\n\n    base_url: http://x\nafter: true\n";

    #[test]
    fn lists_of_mappings() {
        check(&[
            PROVIDERS,
            "set custom_providers.0.api_key sk-new ~> api_key: old|api_key: sk-new",
            "set custom_providers.0.name renamed ~> name: local|name: renamed",
            "set custom_providers.1.api_key k2 ~> http://x\n|http://x\n    api_key: k2\n",
            "set custom_providers.2 {name: c, api_key: k} ~> http://x\n|http://x\n  - name: c\n    api_key: k\n",
            "set custom_providers.2.name n ~> http://x\n|http://x\n  - name: n\n",
            "unset custom_providers.0 ~>   - name: local  # first\n    api_key: old\n|",
            "unset custom_providers.1.name ~>   - name: other\n\n    base_url|\n  - base_url",
        ]);
        let err = run(PROVIDERS, "set custom_providers.5.name x").unwrap_err();
        assert!(
            matches!(err, EditError::IndexOutOfRange { index: 5, len: 2, ref path }
            if path == "custom_providers.5")
        );
        assert!(err.to_string().contains("index 5 is out of range"), "{err}");
    }

    #[test]
    fn plain_lists_append_edit_and_remove() {
        check(&[
            "tools:\n- web\n- shell  # risky\nx: 1\n",
            "set tools.2 files ~> risky\n|risky\n- files\n",
            "set tools.0 browser ~> web|browser",
            "set tools.1 [a] ~> - shell  # risky|-  # risky\n  - a",
            "unset tools.0 ~> - web\n|",
        ]);
        check(&[
            "- a\n- - b\n  - c\n",
            "set 2 d +> - d\n",
            "unset 1.0 => - a\n- - c\n",
            "set 0 {k: v} => - k: v\n- - b\n  - c\n",
        ]);
    }

    #[test]
    fn unset_leaves_removes_subtrees_and_empties_parents() {
        check(&[
            CFG,
            "unset model.provider ~>   provider: openai\n|",
            "unset model ~> model:\n  default: gpt-4  # the model\n  provider: openai\n|",
        ]);
        check(&[
            "a:  # keep\n  b: 1\nc: 2\n",
            "unset a.b => a: {}  # keep\nc: 2\n",
        ]);
        check(&["l:\n  - x\nc: 2\n", "unset l.0 => l: []\nc: 2\n"]);
        check(&["l:\n  - x: 1\n", "unset l.0.x => l:\n  - {}\n"]);
        check(&["# only\nk: 1\n", "unset k => # only\n"]);
        check(&["- x\n", "unset 0 => []\n"]);
        for cmd in [
            "unset model.nope",
            "unset model.default.x",
            "unset terminal.0",
            "unset zz",
        ] {
            assert!(run(CFG, cmd).unwrap().is_none(), "{cmd}");
        }
    }

    #[test]
    fn flow_collections_are_converted_when_descended() {
        check(&[
            "quick_commands: {}  # shortcuts\nz: 1\n",
            "set quick_commands.x.type exec => quick_commands:  # shortcuts\n  x:\n    type: exec\nz: 1\n",
        ]);
        check(&[
            "a: {x: 1}\n",
            "set a.y 2 => a:\n  x: 1\n  y: 2\n",
            "unset a.x => a: {}\n",
        ]);
        check(&[
            "a: [p, q]\n",
            "unset a.0 => a:\n  - q\n",
            "set a [3] => a:\n  - 3\n",
        ]);
        let err = run("a: [1,\n  2]\n", "set a.0 5").unwrap_err();
        assert!(
            matches!(err, EditError::Unsupported { line: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn comments_and_blank_lines_survive_byte_for_byte() {
        check(&[
            "%YAML 1.2\n---\n# header\n\n# about a\na: 1   # one\n\n\nb:\n  # inside b\n  c: 'q'   # quoted\n\n  d: \"x\"\n  # trailing in b\n\n# before e\ne: [1]\n",
            "set b.c new => %YAML 1.2\n---\n# header\n\n# about a\na: 1   # one\n\n\nb:\n  # inside b\n  c: new   # quoted\n\n  d: \"x\"\n  # trailing in b\n\n# before e\ne: [1]\n",
            "set b.f 7 => %YAML 1.2\n---\n# header\n\n# about a\na: 1   # one\n\n\nb:\n  # inside b\n  c: 'q'   # quoted\n\n  d: \"x\"\n  f: 7\n  # trailing in b\n\n# before e\ne: [1]\n",
            "unset b.d => %YAML 1.2\n---\n# header\n\n# about a\na: 1   # one\n\n\nb:\n  # inside b\n  c: 'q'   # quoted\n\n  # trailing in b\n\n# before e\ne: [1]\n",
            "set g true +> g: true\n",
        ]);
    }

    #[test]
    fn line_endings_are_kept() {
        check(&[
            "a: 1\r\nb:\r\n  c: 2\r\n",
            "set b.d 3 => a: 1\r\nb:\r\n  c: 2\r\n  d: 3\r\n",
            "set a 9 => a: 9\r\nb:\r\n  c: 2\r\n",
        ]);
        check(&[
            "a: 1\nb: 2",
            "set b 3 => a: 1\nb: 3",
            "set a 3 => a: 3\nb: 2",
            "set c 3 => a: 1\nb: 2\nc: 3\n",
            "unset b => a: 1",
        ]);
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(parse("").unwrap(), Value::Mapping(Mapping::new()));
        check(&["", "set model.default m => model:\n  default: m\n"]);
        check(&["# nothing yet", "set k 1 => # nothing yet\nk: 1\n"]);
        check(&["---\n", "set k 1 => ---\nk: 1\n"]);
        check(&["a: 1\n...\n", "set b 2 => a: 1\nb: 2\n...\n"]);
        check(&[
            "{} # c\n# end\n",
            "set a.b 1 => a:\n  b: 1\n# end\n",
            "set 0 1 => '0': 1\n# end\n",
        ]);
        check(&["[] # c\n", "set 0 1 => - 1\n"]);
        assert!(run("# c\n", "unset k").unwrap().is_none());
    }

    #[test]
    fn split_key_prefers_existing_dotted_keys() {
        let doc = parse("a: {\"b.c\": 1}\nx: [{y: {\"p.q\": 2}}]").unwrap();
        assert_eq!(split_key("a.b.c", &doc), ["a", "b.c"]);
        assert_eq!(split_key("a.b.d", &doc), ["a", "b", "d"]);
        assert_eq!(split_key("x.0.y.p.q", &doc), ["x", "0", "y", "p.q"]);
        assert_eq!(split_key(r"a\.b.c", &Value::Null), ["a.b", "c"]);
        assert_eq!(split_key(r"a\\b", &Value::Null), [r"a\b"]);
    }

    #[test]
    fn quoted_keys_in_the_document_match_unquoted() {
        check(&[
            "\"a.b\": 1\n'x': {}\n\"it's\": 2  # q\n",
            "set a.b 5 ~> 1|5",
            "set x.y 1 ~> 'x': {}|'x':\n  y: 1",
            "set it's 3 ~> 2|3",
        ]);
    }

    #[test]
    fn anchors_elsewhere_are_fine_but_not_on_the_path() {
        let text = "base: &b\n  x: 1\nuse: *b\ntagged: !!str 5\n&k anchored: 1\nother: 2\n";
        check(&[
            text,
            "set other 3 ~> 2|3",
            "set anchored 3 ~> d: 1|d: 3",
            "set n 3 +> n: 3\n",
        ]);
        for (cmd, line) in [("set base.x 9", 1), ("set use.x 9", 3), ("set tagged 9", 4)] {
            let err = run(text, cmd).unwrap_err();
            assert!(
                matches!(err, EditError::Unsupported { line: l, .. } if l == line),
                "{err}"
            );
        }
    }

    #[test]
    fn verification_rejects_a_wrong_result() {
        let expected = parse("a: 1").unwrap();
        let path = ["a".to_string()];
        assert!(verify("a: 1\n".into(), &expected, &path).is_ok());
        for bad in ["a: 2\n", "a: [\n", "a: 1\nb: 2\n"] {
            let result = verify(bad.into(), &expected, &path);
            assert!(matches!(result, Err(EditError::Verify { .. })), "{bad}");
        }
        let (x, y) = (
            parse("{a: 1, b: 2}").unwrap(),
            parse("{b: 2, a: 1}").unwrap(),
        );
        assert!(!same_tree(&x, &y), "key order matters");
    }

    #[test]
    fn parse_errors_have_positions() {
        let err = parse("a: 1\nb:\n  c: 1\n d: 2\n").unwrap_err();
        assert_eq!((err.line, err.column), (4, 2), "{err}");
        assert!(!err.message.contains("line"), "{}", err.message);
        assert!(err.to_string().starts_with("line 4, column 2: "), "{err}");
        let err = run("a: b: c\n", "set a 1").unwrap_err();
        assert!(matches!(
            err,
            EditError::Parse(ParseError {
                line: 1,
                column: 5,
                ..
            })
        ));
        assert!(
            err.to_string()
                .contains("line 1, column 5: mapping values are not allowed")
        );
    }

    const TRICKY: &str = "%YAML 1.2\n---\n# head\nmodel: \"a/b\"   # q\n\"dot.key\": 'v # not comment'  # c\nplain: it's a value # c\nempty:\nnulls: ~\nsame:\n- a\n- b: 1\n  c: 2\n-\n  d: 3\n- - n1\n  - n2\nindented:\n    - x   # c\n    # between\n    - y\nflow: {a: 1, \"b,c\": [1, 2], d: 'x]'}\nfseq: [1, \"two\", {three: 3}]  # t\nblock: |\n  l1\n  # hashed\n\n  l3\nfolded: >-\n    f\nmulti: first\n  continued\nmq: \"first\n  second\"\ndeep:\n  l1:\n    l2:\n      l3: v  # deep\n      # orphan\n\n    back1: 1\n# outdented\n  back2: 2\nnums:\n  1: one\nlast: end";

    fn paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        let children: Vec<(String, &Value)> = match v {
            Value::Mapping(m) => m.iter().map(|(k, c)| (scalar(k).unwrap(), c)).collect(),
            Value::Sequence(s) => s
                .iter()
                .enumerate()
                .map(|(i, c)| (i.to_string(), c))
                .collect(),
            _ => Vec::new(),
        };
        for (seg, child) in children {
            prefix.push(seg.trim_matches('\'').to_string());
            out.push(prefix.clone());
            paths(child, prefix, out);
            prefix.pop();
        }
    }

    #[test]
    fn every_path_of_a_tricky_document_can_be_set_and_unset() {
        let mut all = Vec::new();
        paths(&parse(TRICKY).unwrap(), &mut Vec::new(), &mut all);
        assert!(all.len() > 40);
        let values = ["zz", "{k: 1, l: [a, {m: 2}]}", "[x]", "{}"].map(|v| parse(v).unwrap());
        for path in &all {
            for v in &values {
                let out = set(TRICKY, path, v).unwrap_or_else(|e| panic!("{path:?}: {e}"));
                assert!(out.starts_with("%YAML 1.2\n---\n# head\n"));
            }
            let deep: Vec<String> = path
                .iter()
                .cloned()
                .chain(["n".into(), "0".into()])
                .collect();
            set(TRICKY, &deep, &Value::Bool(true)).unwrap_or_else(|e| panic!("{deep:?}: {e}"));
            let out = unset(TRICKY, path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            assert!(out.is_some_and(|o| o != TRICKY), "{path:?}");
        }
    }
}
