//! Counts in messages, with the right plural: `1 message was`, `3 messages were`.

/// `n` and the noun, singular for one (`1 message`, `0 messages`). Every noun the library
/// counts in its messages takes an `s`.
pub(crate) fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `was` for one, `were` for any other count.
pub(crate) fn were(n: impl Into<u64>) -> &'static str {
    if n.into() == 1 {
        "was"
    } else {
        "were"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(format!("{} {}", count(1u64, "message"), were(1u64)), "1 message was");
        assert_eq!(format!("{} {}", count(0u64, "message"), were(0u64)), "0 messages were");
        assert_eq!(format!("{} {}", count(2u32, "message"), were(2u32)), "2 messages were");
    }
}
