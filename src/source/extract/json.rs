//! JSON read for the few fields extraction uses (asar headers, source maps). Every other
//! value is skipped as it is parsed, never built: a `serde_json::Value` costs several times
//! its text (an array of one-digit numbers, about thirty times), and a crafted header or map
//! can be nothing but that. Nesting stays within serde_json's recursion limit.

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Any JSON value, kept only if it is a string, an unsigned integer or a boolean.
#[derive(Debug, Default, PartialEq)]
pub(super) enum Scalar {
    Str(String),
    U64(u64),
    Bool(bool),
    /// Anything else, skipped.
    #[default]
    Other,
}

impl Scalar {
    /// The string, if this is one.
    pub fn into_string(self) -> Option<String> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Reads the rest of an array or object without building it.
fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the visitor methods for values a type does not keep: each gives `$other`.
macro_rules! skip_others {
    (@one scalars, $other:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> { Ok($other) }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> { Ok($other) }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> { Ok($other) }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> { Ok($other) }
        fn visit_unit<E>(self) -> Result<Self::Value, E> { Ok($other) }
    };
    (@one strings, $other:expr) => {
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> { Ok($other) }
    };
    (@one seqs, $other:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            drain_seq(seq).map(|()| $other)
        }
    };
    (@one maps, $other:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            drain_map(map).map(|()| $other)
        }
    };
    ($other:expr, [$($skip:ident),*]) => {
        $(skip_others!(@one $skip, $other);)*
    };
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E>(self, s: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Scalar, E> {
                Ok(Scalar::Str(s))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Scalar, E> {
                Ok(Scalar::U64(n))
            }
            fn visit_bool<E>(self, b: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Scalar, E> {
                Ok(u64::try_from(n).map_or(Scalar::Other, Scalar::U64))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Other)
            }
            skip_others!(Scalar::Other, [seqs, maps]);
        }
        d.deserialize_any(V)
    }
}

/// An array's string elements (`None` for the others), or `None` if the value is no array.
#[derive(Debug, Default)]
pub(super) struct StrList(pub Option<Vec<Option<String>>>);

impl<'de> Deserialize<'de> for StrList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrList, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = seq.next_element::<Scalar>()? {
                    out.push(x.into_string());
                }
                Ok(StrList(Some(out)))
            }
            skip_others!(StrList(None), [scalars, strings, maps]);
        }
        d.deserialize_any(V)
    }
}

/// An object's entries in order, each read with `T`, or `None` if the value is no object.
#[derive(Debug)]
pub(super) struct Entries<T>(pub Option<Vec<(String, T)>>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, T>()? {
                    out.push(entry);
                }
                Ok(Entries(Some(out)))
            }
            skip_others!(Entries(None), [scalars, strings, seqs]);
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unused_values_are_skipped_and_kept_ones_read() {
        let e: Entries<Scalar> =
            serde_json::from_str(r#"{"a":"x","b":[1,[2,{"c":3}]],"c":7,"d":-1,"e":true}"#).unwrap();
        let e = e.0.unwrap();
        assert_eq!(e[0], ("a".into(), Scalar::Str("x".into())));
        assert_eq!(e[1], ("b".into(), Scalar::Other));
        assert_eq!(e[2], ("c".into(), Scalar::U64(7)));
        assert_eq!(e[3], ("d".into(), Scalar::Other));
        assert_eq!(e[4], ("e".into(), Scalar::Bool(true)));
        let l: StrList = serde_json::from_str(r#"["a",1,null,"b"]"#).unwrap();
        assert_eq!(
            l.0.unwrap(),
            vec![Some("a".into()), None, None, Some("b".into())]
        );
        let l: StrList = serde_json::from_str(r#"{"a":1}"#).unwrap();
        assert!(l.0.is_none());
    }
}
