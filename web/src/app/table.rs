//! The connections table's arithmetic: the query sent to the worker, and
//! the window of rows a scroll position shows. Pure, tested natively.
//!
//! The table is virtual: a fixed-height scroll container holds a sticky
//! window of [`VISIBLE`] rows and a spacer that gives the scroll range.
//! The scroll position picks the first row; the worker is asked for a page
//! around it. The spacer is capped at [`MAX_SCROLL_PX`] so that a million
//! rows stay within every browser's element-height limit; below the cap
//! one pixel of scroll is one pixel of rows.

use serde_json::{Map, Value, json};

/// Height of one row in CSS pixels (kept in step with `tr.conn-row` in the CSS).
pub const ROW_PX: f64 = 22.0;
/// Rows shown at once.
pub const VISIBLE: usize = 24;
/// Largest spacer height, in CSS pixels.
pub const MAX_SCROLL_PX: f64 = 4_000_000.0;

/// The sortable columns: `data-key`, header text, whether numeric.
pub const COLUMNS: [(&str, &str); 10] = [
    ("proto", "Proto"),
    ("recvq", "Recv-Q"),
    ("sendq", "Send-Q"),
    ("local", "Local Address"),
    ("remote", "Foreign Address"),
    ("state", "State"),
    ("user", "User"),
    ("inode", "Inode"),
    ("pid", "PID"),
    ("program", "Program"),
];

/// The filter fields, in the order of the query's `filter` object.
pub const FILTERS: [&str; 7] = [
    "proto", "state", "local", "remote", "process", "user", "text",
];

/// Sort and filter of the table (the part of a query that is not paging).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// Sort column and descending flag; `None` keeps the snapshot's order.
    pub sort: Option<(String, bool)>,
    /// Filter values by field name ([`FILTERS`]); empty values are left out.
    pub filter: Vec<(String, String)>,
}

impl View {
    /// The view sorted by `key`: a new column sorts ascending, the same
    /// column again flips the direction.
    pub fn sorted_by(&self, key: &str) -> View {
        let desc = matches!(&self.sort, Some((k, d)) if k == key && !d);
        View {
            sort: Some((key.to_string(), desc)),
            filter: self.filter.clone(),
        }
    }

    /// The view with one filter field set (an empty value clears it).
    pub fn filtered(&self, field: &str, value: &str) -> View {
        let mut filter: Vec<(String, String)> = self
            .filter
            .iter()
            .filter(|(f, _)| f != field)
            .cloned()
            .collect();
        if !value.is_empty() {
            filter.push((field.to_string(), value.to_string()));
            filter.sort_by_key(|(f, _)| FILTERS.iter().position(|x| x == f));
        }
        View {
            sort: self.sort.clone(),
            filter,
        }
    }

    /// The current value of a filter field.
    pub fn filter_value(&self, field: &str) -> &str {
        self.filter
            .iter()
            .find(|(f, _)| f == field)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The query JSON for rows `offset..offset + limit` of this view.
    pub fn query(&self, offset: usize, limit: usize) -> String {
        let mut q = Map::new();
        if let Some((key, desc)) = &self.sort {
            q.insert("sort".into(), json!({"key": key, "desc": desc}));
        }
        if !self.filter.is_empty() {
            let f: Map<String, Value> = self
                .filter
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            q.insert("filter".into(), Value::Object(f));
        }
        q.insert("offset".into(), json!(offset));
        q.insert("limit".into(), json!(limit));
        Value::Object(q).to_string()
    }
}

/// The spacer height for `matched` rows.
pub fn spacer_px(matched: usize) -> f64 {
    let max_first = matched.saturating_sub(VISIBLE);
    (max_first as f64 * ROW_PX).min(MAX_SCROLL_PX)
}

/// The first visible row at scroll position `scroll_top`.
pub fn first_row(scroll_top: f64, matched: usize) -> usize {
    let max_first = matched.saturating_sub(VISIBLE);
    let spacer = spacer_px(matched);
    if max_first == 0 || spacer <= 0.0 || !scroll_top.is_finite() {
        return 0;
    }
    let at = (scroll_top.max(0.0) / spacer * max_first as f64).round();
    (at as usize).min(max_first)
}

/// The scroll position that shows `first` at the top (inverse of [`first_row`]).
pub fn scroll_top_for(first: usize, matched: usize) -> f64 {
    let max_first = matched.saturating_sub(VISIBLE);
    if max_first == 0 {
        return 0.0;
    }
    first.min(max_first) as f64 / max_first as f64 * spacer_px(matched)
}

/// The page to ask for when `first` is the first visible row: one screen
/// before and two after, so that small scrolls need no new request.
pub fn page_for(first: usize) -> (usize, usize) {
    (first.saturating_sub(VISIBLE), VISIBLE * 4)
}

/// Whether a page `offset..offset + len` of a view with `matched` rows
/// holds every row visible from `first`.
pub fn covers(offset: usize, len: usize, matched: usize, first: usize) -> bool {
    let end = (first + VISIBLE).min(matched);
    first >= offset && (end <= offset + len || first >= end)
}

/// The text of a cell: strings as they are, numbers in decimal, null and
/// absent values empty.
pub fn cell_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_flips_on_second_click() {
        let v = View::default().sorted_by("local");
        assert_eq!(v.sort, Some(("local".into(), false)));
        assert_eq!(v.sorted_by("local").sort, Some(("local".into(), true)));
        assert_eq!(
            v.sorted_by("local").sorted_by("local").sort,
            Some(("local".into(), false))
        );
        assert_eq!(v.sorted_by("pid").sort, Some(("pid".into(), false)));
    }

    #[test]
    fn builds_queries() {
        let v = View::default()
            .filtered("user", "root")
            .filtered("proto", "tcp")
            .sorted_by("recvq");
        assert_eq!(v.filter_value("proto"), "tcp");
        let q: Value = serde_json::from_str(&v.query(10, 96)).unwrap();
        assert_eq!(
            q,
            json!({"sort": {"key": "recvq", "desc": false},
                   "filter": {"proto": "tcp", "user": "root"},
                   "offset": 10, "limit": 96})
        );
        let cleared = v.filtered("user", "").filtered("proto", "");
        assert_eq!(
            serde_json::from_str::<Value>(&cleared.query(0, 1)).unwrap(),
            json!({"sort": {"key": "recvq", "desc": false}, "offset": 0, "limit": 1})
        );
    }

    #[test]
    fn maps_scroll_to_rows() {
        assert_eq!(first_row(0.0, 10), 0);
        assert_eq!(first_row(500.0, 10), 0);
        assert_eq!(first_row(ROW_PX * 3.0, 100), 3);
        assert_eq!(first_row(1e12, 100), 100 - VISIBLE);
        // A million rows: the spacer is capped and the last row is reachable.
        let m = 1_000_000;
        assert_eq!(spacer_px(m), MAX_SCROLL_PX);
        assert_eq!(first_row(MAX_SCROLL_PX, m), m - VISIBLE);
        assert_eq!(first_row(scroll_top_for(123_456, m), m), 123_456);
    }

    #[test]
    fn pages_cover_the_window() {
        let (off, len) = page_for(100);
        assert!(covers(off, len, 1000, 100));
        assert!(covers(off, len, 1000, 100 + VISIBLE));
        assert!(!covers(off, len, 1000, off + len));
        assert!(!covers(off, len, 1000, off.saturating_sub(1)));
        // Near the end a short page covers what is left.
        assert!(covers(990, 10, 1000, 990));
        assert!(covers(0, 0, 0, 0));
    }

    #[test]
    fn cells() {
        assert_eq!(cell_text(Some(&json!(12))), "12");
        assert_eq!(cell_text(Some(&json!("a<b"))), "a<b");
        assert_eq!(cell_text(Some(&Value::Null)), "");
        assert_eq!(cell_text(None), "");
    }
}
