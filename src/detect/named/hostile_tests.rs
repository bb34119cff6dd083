//! Property test: no slice of real-looking input near its end aborts the engine.
mod hostile {
    use super::super::*;
    use proptest::prelude::*;

    /// Pieces of the syntax the scanner reads, so random inputs reach its every branch,
    /// including names and values cut off by the end of the input.
    const PIECES: &[&str] = &[
        "password",
        "ApiKey",
        "api_key",
        "TOKEN",
        "secret",
        "<",
        ">",
        "</",
        "<key>",
        "</key>",
        "<string>",
        "name=\"",
        "key='",
        "\"",
        "'",
        "`",
        "=",
        ":",
        ":=",
        "=>",
        ",",
        "(",
        ")",
        "||",
        "??",
        "${",
        "}",
        " ",
        "\n",
        "\\",
        "process.env.",
        "os.getenv(",
        "value=",
        "-",
        "b",
        "Qx7!mW2pLz9k",
        "machine a login b ",
        "/",
        ".",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn any_input_is_read_without_panicking(parts in prop::collection::vec(prop::sample::select(PIECES), 0..24)) {
            let text = parts.concat();
            let buf = text.as_bytes();
            for word in ["assw", "piKey", "pi_key", "oken", "OKEN", "ecret"] {
                for (at, _) in text.match_indices(word) {
                    for kind in [Kind::Password, Kind::ApiKey, Kind::Token, Kind::Secret] {
                        for code in [true, false] {
                            if let Some(n) = find(buf, at..at + word.len(), kind, code, &Facts::default()) {
                                prop_assert!(n.value.end <= buf.len());
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_name_cut_off_by_the_end_of_the_input_has_no_value() {
        let text = b"x name=\"api_key";
        assert!(find(text, 10..15, Kind::ApiKey, false, &Facts::default()).is_none());
    }
}
