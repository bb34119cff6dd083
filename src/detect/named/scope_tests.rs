//! Dotted names handed to credential keys (syntax-highlighter scopes, packages, dotfiles)
//! are names, not secrets; dotted random text still is one.
use super::*;

fn value(text: &str, word: &str) -> Option<String> {
    let at = text.find(word).expect("the word is in the text");
    find(
        text.as_bytes(),
        at..at + word.len(),
        Kind::Token,
        true,
        &Facts::default(),
    )
    .map(|n| text[n.value].to_string())
}

#[test]
fn scope_names_given_to_a_token_key_are_not_tokens() {
    // Syntax highlighters in shipped JavaScript (Monaco, Ace) name every token type.
    for scope in [
        "keyword.operator.attribute-equals.xml",
        "punctuation.definition.string.begin.csound-score",
        "markup.heading.2",
        "@brackets.directive",
        "constant.datatype!",
        "string.$S2.delim",
        "constant.begin..filter.slim",
        ".htaccess",
    ] {
        let text = format!(r#"{{token:"{scope}",regex:"x"}}"#);
        assert_eq!(value(&text, "token"), None, "{scope}");
    }
    // Dotted values that mix letters and digits are still read as secrets.
    for secret in [
        "eyJhbGciOi.k8Jq2xW7mZ4v.T9nR3pL6",
        "a8f3k2q9.x9d8e7w1z.p0o9",
    ] {
        let text = format!(r#"token = "{secret}""#);
        assert_eq!(value(&text, "token").as_deref(), Some(secret));
    }
}
