//! Pretty JSON assembled from parts serialised apart (in parallel, or measured one by one):
//! a part is indented to where it sits, and spliced in place of an empty array the document
//! was serialised with. JSON strings hold no raw newline, so a line break followed by
//! indentation and `"key": []` can only be that key of an object at that depth.

/// Appends `text`, a value serialised pretty on its own, indented by `depth` spaces as a
/// document nesting it there holds it (its first line included).
pub fn indented(text: &[u8], depth: usize, out: &mut Vec<u8>) {
    const SPACES: &[u8] = &[b' '; 64];
    let pad = &SPACES[..depth.min(SPACES.len())];
    out.extend_from_slice(pad);
    let mut from = 0;
    for nl in memchr::memchr_iter(b'\n', text) {
        out.extend_from_slice(&text[from..=nl]);
        out.extend_from_slice(pad);
        from = nl + 1;
    }
    out.extend_from_slice(&text[from..]);
}

/// Where `"key": []` of an object whose keys sit `depth` spaces deep ends in `doc`, just
/// before its `]`: the document up to there, and from there on.
pub fn split_at_empty<'a>(doc: &'a [u8], key: &str, depth: usize) -> Option<(&'a [u8], &'a [u8])> {
    let mut pattern = Vec::with_capacity(depth + key.len() + 8);
    pattern.push(b'\n');
    pattern.resize(depth + 1, b' ');
    pattern.extend_from_slice(format!("\"{key}\": []").as_bytes());
    let at = memchr::memmem::find(doc, &pattern)? + pattern.len() - 1;
    Some(doc.split_at(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_spliced_into_a_document_equal_the_document_serialised_whole() {
        let part = serde_json::json!({"a": [1, {"b": "x\n  \"k\": []"}], "c": "d"});
        let whole = serde_json::json!({"k": [part.clone(), part.clone()], "z": {"k": []}});
        let empty = serde_json::json!({"k": [], "z": {"k": []}});
        let skeleton = serde_json::to_vec_pretty(&empty).unwrap();
        let (head, tail) = split_at_empty(&skeleton, "k", 2).unwrap();
        let mut out = head.to_vec();
        let one = serde_json::to_vec_pretty(&part).unwrap();
        for n in 0..2 {
            out.extend_from_slice(if n == 0 { b"\n" } else { b",\n" });
            indented(&one, 4, &mut out);
        }
        out.extend_from_slice(b"\n  ");
        out.extend_from_slice(tail);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string_pretty(&whole).unwrap()
        );
        assert!(split_at_empty(&skeleton, "k", 4).is_some(), "z's own key");
        assert!(split_at_empty(&skeleton, "a", 2).is_none());
    }
}
