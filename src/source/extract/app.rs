//! What an app says about itself: its package id and version (from `AndroidManifest.xml` or
//! an iOS bundle's `Info.plist`) and the SDKs its code or frameworks show, so a report can
//! say which app carries which secret and for which SDK.

use super::{Piece, Visitor};

/// A fact about the app being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppFact {
    /// Who the app is.
    Identity {
        /// `android` or `ios`.
        platform: &'static str,
        /// The package name or bundle id.
        package: String,
        /// `versionName` or `CFBundleShortVersionString`, when given.
        version: Option<String>,
    },
    /// An SDK the app embeds.
    Sdk(&'static str),
}

/// SDKs by the Java package prefix of their classes (as DEX type descriptors) and by the
/// start of their iOS framework names.
const SDKS: &[(&str, &str, &str)] = &[
    ("CAF", "Lcom/combateafraude/", "Caf"),
    ("CAF", "Lio/caf/", "CafSDK"),
    ("Firebase", "Lcom/google/firebase/", "Firebase"),
    ("Google Maps", "Lcom/google/android/gms/maps/", "GoogleMaps"),
    ("AWS", "Lcom/amazonaws/", "AWS"),
    ("Stripe", "Lcom/stripe/", "Stripe"),
    ("Sentry", "Lio/sentry/", "Sentry"),
    ("Mapbox", "Lcom/mapbox/", "Mapbox"),
    ("Facebook", "Lcom/facebook/", "FBSDK"),
    ("Twilio", "Lcom/twilio/", "Twilio"),
    ("Algolia", "Lcom/algolia/", "Algolia"),
    ("Auth0", "Lcom/auth0/", "Auth0"),
    ("jjwt", "Lio/jsonwebtoken/", "JWT"),
    ("Slack", "Lcom/slack/", "Slack"),
];

/// The SDK whose classes a DEX type descriptor names.
pub(super) fn sdk_of_class(descriptor: &[u8]) -> Option<&'static str> {
    SDKS.iter()
        .find(|(_, prefix, _)| descriptor.starts_with(prefix.as_bytes()))
        .map(|(sdk, _, _)| *sdk)
}

/// The SDK an iOS member belongs to, by its framework's name
/// (`Payload/Shop.app/Frameworks/FirebaseCore.framework/FirebaseCore`).
pub(super) fn sdk_of_member(member: &str) -> Option<&'static str> {
    let framework = member.split('/').find(|p| p.ends_with(".framework"))?;
    SDKS.iter()
        .find(|(_, _, name)| framework.starts_with(name))
        .map(|(sdk, _, _)| *sdk)
}

/// Which identity file `member` is, if any: the manifest at an APK's (or an AAB module's)
/// root, or the Info.plist at an iOS bundle's root.
pub(super) fn identity_file(member: Option<&str>) -> Option<&'static str> {
    let m = member?;
    let leaf = m.rsplit('!').next().unwrap_or(m);
    if leaf == "AndroidManifest.xml" || leaf == "base/manifest/AndroidManifest.xml" {
        return Some("android");
    }
    let mut parts = leaf.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("Payload"), Some(app), Some("Info.plist"), None) if app.ends_with(".app") => {
            Some("ios")
        }
        _ => None,
    }
}

/// Passes everything on to `inner`, and reads the identity out of the decoded manifest or
/// plist lines on the way.
pub(super) struct Identify<'v> {
    pub inner: &'v mut dyn Visitor,
    pub platform: &'static str,
}

impl Visitor for Identify<'_> {
    fn piece(&mut self, piece: Piece<'_>) {
        let text = String::from_utf8_lossy(piece.bytes);
        let found = match self.platform {
            "android" => text.lines().find_map(manifest),
            _ => info_plist(&text),
        };
        if let Some((package, version)) = found {
            self.inner.app(AppFact::Identity {
                platform: self.platform,
                package,
                version,
            });
        }
        self.inner.piece(piece);
    }

    fn warn(&mut self, message: String) {
        self.inner.warn(message);
    }

    fn binary_skipped(&mut self) {
        self.inner.binary_skipped();
    }

    fn app(&mut self, fact: AppFact) {
        self.inner.app(fact);
    }
}

/// `package` and `versionName` of a decoded `<manifest …>` line.
fn manifest(line: &str) -> Option<(String, Option<String>)> {
    if !line.starts_with("<manifest ") {
        return None;
    }
    let package = attr(line, "package")?;
    Some((package, attr(line, "versionName")))
}

/// The value of ` android:NAME="…"` in a decoded element line.
fn attr(line: &str, name: &str) -> Option<String> {
    let key = format!(" android:{name}=\"");
    let start = line.find(&key)? + key.len();
    let end = start + line[start..].find('"')?;
    Some(line[start..end].to_string())
}

/// `CFBundleIdentifier` and `CFBundleShortVersionString` of flattened plist lines.
fn info_plist(text: &str) -> Option<(String, Option<String>)> {
    let value = |key: &str| {
        let prefix = format!("{key} = \"");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix)?.strip_suffix('"'))
            .map(str::to_string)
    };
    Some((
        value("CFBundleIdentifier")?,
        value("CFBundleShortVersionString"),
    ))
}

/// The SDK a rule's findings belong to, for the summary's secrets per SDK.
pub fn sdk_of_rule(rule: &str) -> &'static str {
    let family = rule.split('.').next().unwrap_or(rule);
    match family {
        "aws" => "AWS",
        "google" | "firebase" => "Firebase",
        "caf" => "CAF",
        "stripe" => "Stripe",
        "mapbox" => "Mapbox",
        "slack" => "Slack",
        "sendgrid" => "SendGrid",
        "azure" => "Azure",
        "gcp" => "Google Cloud",
        "twilio" => "Twilio",
        "mailgun" => "Mailgun",
        "algolia" => "Algolia",
        "sentry" => "Sentry",
        "ai" => "AI APIs",
        "github" => "GitHub",
        "jwt" | "bearer" => "JWT and bearer tokens",
        "crypto" => "hardcoded keys",
        "private-key" => "private keys",
        "generic" => "named credentials",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_manifest_and_plist_at_an_apps_root_name_it() {
        assert_eq!(identity_file(Some("AndroidManifest.xml")), Some("android"));
        assert_eq!(
            identity_file(Some("base.apk!AndroidManifest.xml")),
            Some("android")
        );
        assert_eq!(
            identity_file(Some("base/manifest/AndroidManifest.xml")),
            Some("android")
        );
        assert_eq!(
            identity_file(Some("Payload/Shop.app/Info.plist")),
            Some("ios")
        );
        assert_eq!(
            identity_file(Some("Payload/Shop.app/Frameworks/X.framework/Info.plist")),
            None
        );
        assert_eq!(identity_file(Some("res/xml/AndroidManifest.xml.bak")), None);
        assert_eq!(identity_file(None), None);
    }

    #[test]
    fn identity_comes_from_the_manifest_element_only() {
        let line = r#"<manifest android:versionCode="3" android:versionName="2.1" android:package="com.acme.shop">"#;
        assert_eq!(
            manifest(line),
            Some(("com.acme.shop".into(), Some("2.1".into())))
        );
        assert_eq!(manifest(r#"<application android:package="x">"#), None);
        assert_eq!(manifest("<manifest android:package=\"unterminated"), None);
        let plist = "CFBundleShortVersionString = \"4.0\"\nCFBundleIdentifier = \"com.acme.ios\"\n";
        assert_eq!(
            info_plist(plist),
            Some(("com.acme.ios".into(), Some("4.0".into())))
        );
    }

    #[test]
    fn sdks_are_known_by_class_prefix_and_framework_name() {
        assert_eq!(
            sdk_of_class(b"Lcom/amazonaws/auth/BasicAWSCredentials;"),
            Some("AWS")
        );
        assert_eq!(sdk_of_class(b"Lcom/acme/Shop;"), None);
        assert_eq!(
            sdk_of_member("Payload/Shop.app/Frameworks/FirebaseCore.framework/FirebaseCore"),
            Some("Firebase")
        );
        assert_eq!(sdk_of_member("Payload/Shop.app/Firebase.png"), None);
        assert_eq!(sdk_of_rule("aws.key-pair"), "AWS");
        assert_eq!(sdk_of_rule("crypto.hardcoded-key.java"), "hardcoded keys");
    }
}
