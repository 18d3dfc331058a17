//! File tools: `read_file` (numbered lines, paginated), `write_file` (atomic), `patch` (exact
//! old → new replacement) and `search_files` (regex over contents, or a glob over names,
//! skipping binaries and build/VCS folders). Relative paths are taken from `terminal.cwd`.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use regex::RegexBuilder;
use serde_json::{Value, json};

use super::{Tool, ToolContext, ToolOutput, arg_bool, arg_str, arg_u64, required};
use crate::agent::types::ToolSpec;
use crate::fsutil;

/// Lines returned by one `read_file` call at most.
const MAX_LINES: usize = 2000;
/// Characters of one line shown at most.
const MAX_LINE_CHARS: usize = 2000;
/// Characters returned by one `read_file` call at most.
const MAX_READ_CHARS: usize = 100_000;
/// The largest file `read_file` reads (bigger ones are read in parts with the terminal).
const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;
/// Folders `search_files` never enters.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    "__pycache__",
    ".venv",
    ".hg",
];

/// Whether the start of a file looks binary (a NUL byte in the first 8 KiB).
fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8192).any(|b| *b == 0)
}

/// The `read_file` tool.
pub(crate) struct ReadFile;

#[async_trait]
impl Tool for ReadFile {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "read_file".into(),
            description: "Read a text file with line numbers and pagination. Output format: 'LINE_NUM|CONTENT'. Use offset and limit for large files; a truncated read says which offset to continue from. Cannot read binary files.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "Path to the file to read (absolute, relative, or ~/path)"},
                    "offset": {"type": "integer", "description": "Line number to start reading from (1-indexed, default: 1)", "default": 1, "minimum": 1},
                    "limit": {"type": "integer", "description": "Maximum number of lines to read (default: 500, max: 2000)", "default": 500, "maximum": 2000}
                },
                "required": ["path"]
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "file"
    }

    fn emoji(&self) -> &'static str {
        "📄"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        let path = match required(&args, "path", "read_file") {
            Ok(p) => cx.resolve(p),
            Err(e) => return e,
        };
        let shown = path.display().to_string();
        let reading = path.clone();
        // Off the async workers: a slow disk or network mount must not stall other turns.
        let bytes = match tokio::task::spawn_blocking(move || read_regular(&reading)).await {
            Ok(Ok(b)) => b,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return ToolOutput::error(format!(
                    "read_file: {shown} does not exist{}",
                    similar_names(&path)
                ));
            }
            Ok(Err(e)) => return ToolOutput::error(format!("read_file: {shown}: {e}")),
            Err(e) => return ToolOutput::error(format!("read_file: {shown}: {e}")),
        };
        if is_binary(&bytes) {
            return ToolOutput::error(format!("read_file: {} is a binary file", path.display()));
        }
        let text = String::from_utf8_lossy(&bytes);
        let offset = arg_u64(&args, "offset")
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(1)
            .max(1);
        let limit = arg_u64(&args, "limit")
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(500)
            .clamp(1, MAX_LINES);
        let lines: Vec<&str> = text.lines().collect();
        let total = lines.len();
        if total == 0 {
            return ToolOutput::ok(format!("{} is empty", path.display()));
        }
        if offset > total {
            return ToolOutput::error(format!(
                "read_file: offset {offset} is past the end ({total} lines)"
            ));
        }
        let mut out = String::new();
        let mut next = None;
        for (i, line) in lines.iter().enumerate().skip(offset - 1).take(limit) {
            let shown: String = line.chars().take(MAX_LINE_CHARS).collect();
            let entry = format!("{}|{shown}\n", i + 1);
            if out.len() + entry.len() > MAX_READ_CHARS {
                next = Some(i + 1);
                break;
            }
            out.push_str(&entry);
        }
        let last = next.map_or((offset - 1 + limit).min(total), |n| n - 1);
        if next.is_none() && last < total {
            next = Some(last + 1);
        }
        if let Some(n) = next {
            out.push_str(&format!(
                "[showing lines {offset}-{last} of {total}; continue with offset={n}]"
            ));
        }
        ToolOutput::ok(out.trim_end().to_string())
    }
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`]. Devices (`/dev/zero`), FIFOs, sockets
/// and directories are refused before they are opened, since reading them could block or
/// never end.
fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "is a directory; list it with search_files or the terminal",
        ));
    }
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "is not a regular file (a device, FIFO or socket); read_file only reads files",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "is {} MiB, more than read_file reads ({} MiB); read parts of it with the terminal (head, tail, sed -n) or search_files",
                meta.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let file = std::fs::File::open(path)?;
    // The file may have grown (or been swapped) since the check: never read past the cap.
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// ` (did you mean: a, b?)` from names in the same folder that share a prefix.
fn similar_names(path: &Path) -> String {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return String::new();
    };
    let name = name.to_string_lossy().to_ascii_lowercase();
    let stem: String = name.chars().take(3).collect();
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.to_ascii_lowercase().starts_with(&stem))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.truncate(5);
    if found.is_empty() {
        String::new()
    } else {
        format!(" (did you mean: {}?)", found.join(", "))
    }
}

/// The `write_file` tool.
pub(crate) struct WriteFile;

#[async_trait]
impl Tool for WriteFile {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "write_file".into(),
            description: "Write content to a file, completely replacing existing content. Creates parent directories. Use 'patch' for targeted edits.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "Path to the file to write (created if missing, overwritten if present)"},
                    "content": {"type": "string", "description": "Complete content to write to the file"}
                },
                "required": ["path", "content"]
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "file"
    }

    fn emoji(&self) -> &'static str {
        "✍️"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        let path = match required(&args, "path", "write_file") {
            Ok(p) => cx.resolve(p),
            Err(e) => return e,
        };
        let Some(content) = arg_str(&args, "content") else {
            return ToolOutput::error(
                "write_file: missing required field 'content' (a string); re-send the call with both 'path' and 'content'",
            );
        };
        match fsutil::write_atomic(&path, content.as_bytes(), None) {
            Ok(()) => ToolOutput::json(&json!({
                "success": true,
                "path": path.display().to_string(),
                "bytes_written": content.len(),
            })),
            Err(e) => ToolOutput::error(format!("write_file: {}: {e}", path.display())),
        }
    }
}

/// The `patch` tool (replace mode).
pub(crate) struct Patch;

#[async_trait]
impl Tool for Patch {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "patch".into(),
            description: "Targeted find-and-replace edit in a file: old_string must appear exactly once (or set replace_all=true). Include surrounding lines to make it unique. Pass an empty new_string to delete.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "mode": {"type": "string", "enum": ["replace"], "description": "Edit mode (only 'replace').", "default": "replace"},
                    "path": {"type": "string", "description": "File path to edit"},
                    "old_string": {"type": "string", "description": "Exact text to find"},
                    "new_string": {"type": "string", "description": "Replacement text"},
                    "replace_all": {"type": "boolean", "description": "Replace every occurrence (default: false)", "default": false}
                },
                "required": ["path", "old_string", "new_string"]
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "file"
    }

    fn emoji(&self) -> &'static str {
        "🔧"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        if arg_str(&args, "mode").is_some_and(|m| m != "replace") {
            return ToolOutput::error(
                "patch: only mode='replace' is supported; send path, old_string and new_string",
            );
        }
        let path = match required(&args, "path", "patch") {
            Ok(p) => cx.resolve(p),
            Err(e) => return e,
        };
        let old = match required(&args, "old_string", "patch") {
            Ok(s) => s,
            Err(e) => return e,
        };
        let Some(new) = arg_str(&args, "new_string") else {
            return ToolOutput::error("patch: missing required argument 'new_string'");
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => return ToolOutput::error(format!("patch: {}: {e}", path.display())),
        };
        let count = text.matches(old).count();
        let all = arg_bool(&args, "replace_all").unwrap_or(false);
        let updated = match count {
            0 => {
                return ToolOutput::error(format!(
                    "patch: old_string was not found in {}; read the file and copy the text exactly",
                    path.display()
                ));
            }
            1 => text.replacen(old, new, 1),
            n if all => {
                let _ = n;
                text.replace(old, new)
            }
            n => {
                return ToolOutput::error(format!(
                    "patch: old_string appears {n} times in {}; add context to make it unique or set replace_all=true",
                    path.display()
                ));
            }
        };
        match fsutil::write_atomic(&path, updated.as_bytes(), None) {
            Ok(()) => ToolOutput::json(&json!({
                "success": true,
                "path": path.display().to_string(),
                "replacements": if all { count } else { 1 },
            })),
            Err(e) => ToolOutput::error(format!("patch: {}: {e}", path.display())),
        }
    }
}

/// A shell-style glob (`*`, `?`) over one name.
fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// Every file under `root` (sorted, hidden and build folders skipped).
fn walk(root: &Path, out: &mut Vec<PathBuf>, budget: &mut usize) {
    if root.is_file() {
        out.push(root.to_path_buf());
        return;
    }
    let Ok(rd) = std::fs::read_dir(root) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if !name.starts_with('.') && !SKIP_DIRS.contains(&name.as_str()) {
                walk(&e.path(), out, budget);
            }
        } else if ft.is_file() {
            out.push(e.path());
        }
    }
}

/// The `search_files` tool.
pub(crate) struct SearchFiles;

#[async_trait]
impl Tool for SearchFiles {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "search_files".into(),
            description: "Search file contents with a regex (target='content'), or find files by a glob on their names (target='files'). Binary files and .git/node_modules/target are skipped.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "pattern": {"type": "string", "description": "Regex for content search, or glob (e.g. '*.py') for file search"},
                    "target": {"type": "string", "enum": ["content", "files"], "description": "'content' searches inside files, 'files' matches file names", "default": "content"},
                    "path": {"type": "string", "description": "Directory or file to search in (default: the working directory)", "default": "."},
                    "file_glob": {"type": "string", "description": "Only search files whose name matches this glob (content search)"},
                    "limit": {"type": "integer", "description": "Maximum results (default: 50)", "default": 50},
                    "offset": {"type": "integer", "description": "Skip the first N results (default: 0)", "default": 0},
                    "output_mode": {"type": "string", "enum": ["content", "files_only", "count"], "description": "Content search output: matching lines, file paths only, or counts per file", "default": "content"}
                },
                "required": ["pattern"]
            }),
        }
    }

    fn toolset(&self) -> &'static str {
        "file"
    }

    fn emoji(&self) -> &'static str {
        "🔍"
    }

    async fn call(&self, args: Value, cx: &ToolContext) -> ToolOutput {
        let pattern = match required(&args, "pattern", "search_files") {
            Ok(p) => p.to_string(),
            Err(e) => return e,
        };
        let root = cx.resolve(arg_str(&args, "path").unwrap_or("."));
        if !root.exists() {
            return ToolOutput::error(format!("search_files: {} does not exist", root.display()));
        }
        let files_mode = arg_str(&args, "target") == Some("files");
        let glob = arg_str(&args, "file_glob").map(str::to_string);
        let mode = arg_str(&args, "output_mode")
            .unwrap_or("content")
            .to_string();
        let limit = arg_u64(&args, "limit")
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(50)
            .clamp(1, 1000);
        let offset = arg_u64(&args, "offset")
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        let re = if files_mode {
            None
        } else {
            match RegexBuilder::new(&pattern).size_limit(1 << 20).build() {
                Ok(r) => Some(r),
                Err(e) => return ToolOutput::error(format!("search_files: invalid regex: {e}")),
            }
        };
        let base = cx.config.terminal_cwd.clone();
        let job = tokio::task::spawn_blocking(move || {
            let mut files = Vec::new();
            walk(&root, &mut files, &mut 50_000);
            let show = |p: &Path| {
                p.strip_prefix(&base)
                    .map_or_else(|_| p.display().to_string(), |r| r.display().to_string())
            };
            let name_of = |p: &Path| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            let mut results: Vec<String> = Vec::new();
            let Some(re) = re else {
                for f in &files {
                    if glob_match(&pattern, &name_of(f)) {
                        results.push(show(f));
                    }
                }
                return results;
            };
            for f in &files {
                if glob.as_deref().is_some_and(|g| !glob_match(g, &name_of(f))) {
                    continue;
                }
                let Ok(bytes) = std::fs::read(f) else {
                    continue;
                };
                if is_binary(&bytes) {
                    continue;
                }
                let text = String::from_utf8_lossy(&bytes);
                let hits: Vec<(usize, &str)> = text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| re.is_match(l))
                    .collect();
                if hits.is_empty() {
                    continue;
                }
                match mode.as_str() {
                    "files_only" => results.push(show(f)),
                    "count" => results.push(format!("{}:{}", show(f), hits.len())),
                    _ => results.extend(hits.iter().map(|(i, l)| {
                        let l: String = l.chars().take(500).collect();
                        format!("{}:{}:{l}", show(f), i + 1)
                    })),
                }
                if results.len() > offset + limit + 1000 {
                    break;
                }
            }
            results
        });
        let results = match job.await {
            Ok(r) => r,
            Err(e) => return ToolOutput::error(format!("search_files: {e}")),
        };
        let total = results.len();
        let page: Vec<String> = results.into_iter().skip(offset).take(limit).collect();
        if page.is_empty() {
            return ToolOutput::ok("No matches found.");
        }
        let mut out = page.join("\n");
        if offset + page.len() < total {
            out.push_str(&format!(
                "\n[{} more; continue with offset={}]",
                total - offset - page.len(),
                offset + page.len()
            ));
        }
        ToolOutput::ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*.rs", "main.rs"));
        assert!(glob_match("*config*", "my.config.yaml"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("*.rs", "main.rsx"));
    }

    #[test]
    fn binary_detection() {
        assert!(is_binary(b"\x7fELF\0\0"));
        assert!(!is_binary("plain text é".as_bytes()));
    }
}
