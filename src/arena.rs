//! Many short strings (names, ids) in one buffer, addressed by an 8-byte span: a `String`
//! each would cost 24 bytes of header and an allocation apiece. The graph's node table and the
//! resolver's name tables keep their names here.

/// Many strings in one buffer; a string is a span `start << 16 | len`. Strings longer than
/// 65,535 bytes are cut at a character boundary (no enterprise or person name comes close).
#[derive(Debug, Default, Clone)]
pub(crate) struct Arena {
    bytes: String,
}

const LEN_BITS: u32 = 16;
pub(crate) const MAX_LEN: usize = (1 << LEN_BITS) - 1;

impl Arena {
    pub fn append(&mut self, text: &str) -> u64 {
        let mut end = text.len().min(MAX_LEN);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let start = self.bytes.len() as u64;
        self.bytes.push_str(&text[..end]);
        start << LEN_BITS | end as u64
    }

    pub fn get(&self, span: u64) -> &str {
        let start = (span >> LEN_BITS) as usize;
        &self.bytes[start..start + (span as usize & MAX_LEN)]
    }

    /// The bytes held, for tests that nothing was appended.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }
}

/// Strings numbered in the order pushed, in one [`Arena`].
#[derive(Debug, Default, Clone)]
pub(crate) struct Strings {
    arena: Arena,
    spans: Vec<u64>,
}

impl Strings {
    pub fn push(&mut self, text: &str) -> usize {
        let span = self.arena.append(text);
        self.spans.push(span);
        self.spans.len() - 1
    }

    pub fn get(&self, i: usize) -> &str {
        self.arena.get(self.spans[i])
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }
}
