//! The app's languages: Kazakh, Russian, English; the tray and notifications read the UI's strings.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The language's name in itself, as language menus show it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Kk => "Қазақша",
            Lang::Ru => "Русский",
            Lang::En => "English",
        }
    }

    /// Parses a BCP 47 tag or POSIX locale ("kk-KZ", "ru_RU.UTF-8", "kz" as NCALayer says it).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "kk" | "kz" => Some(Lang::Kk),
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first of the OS's preferred languages Qoltanba speaks; Russian when none.
    pub fn from_os() -> Lang {
        sys_locale::get_locales()
            .find_map(|tag| Lang::from_tag(&tag))
            .unwrap_or(Lang::Ru)
    }
}

/// Strings of one language, from the same files the web UI uses.
pub struct Strings {
    map: HashMap<String, String>,
}

impl Strings {
    pub fn new(lang: Lang) -> Strings {
        let json = match lang {
            Lang::Kk => include_str!("../../ui/i18n/kk.json"),
            Lang::Ru => include_str!("../../ui/i18n/ru.json"),
            Lang::En => include_str!("../../ui/i18n/en.json"),
        };
        // The files are part of the build and checked by a test: an error here is a build bug.
        let map = serde_json::from_str(json).unwrap_or_default();
        Strings { map }
    }

    /// The text for `key` with `{name}` placeholders filled; the key itself when missing.
    pub fn get(&self, key: &str, params: &[(&str, &str)]) -> String {
        let mut text = self
            .map
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string());
        for (name, value) in params {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys the Rust side shows in the tray and notifications.
    const RUST_KEYS: &[&str] = &[
        "app.name",
        "tray.listening",
        "tray.portInUse",
        "tray.tlsNotTrusted",
        "tray.certificates",
        "tray.sites",
        "tray.language",
        "tray.autostart",
        "tray.trustTls",
        "tray.about",
        "tray.quit",
        "notify.portInUseTitle",
        "notify.portInUseBody",
        "notify.expiryTitle",
        "notify.expiryBody",
        "notify.tlsTrusted",
        "notify.tlsFailed",
    ];

    #[test]
    fn every_language_has_every_string_the_tray_uses() {
        for lang in Lang::ALL {
            let strings = Strings::new(lang);
            assert!(!strings.map.is_empty(), "{lang:?} strings did not parse");
            for key in RUST_KEYS {
                assert!(strings.map.contains_key(*key), "{lang:?} lacks {key}");
            }
        }
    }

    #[test]
    fn all_languages_have_the_same_keys() {
        let keys = |lang| {
            let mut keys: Vec<String> = Strings::new(lang).map.into_keys().collect();
            keys.sort();
            keys
        };
        assert_eq!(keys(Lang::Kk), keys(Lang::En));
        assert_eq!(keys(Lang::Ru), keys(Lang::En));
    }

    #[test]
    fn locale_tags_of_all_forms_are_understood() {
        assert_eq!(Lang::from_tag("kk-KZ"), Some(Lang::Kk));
        assert_eq!(Lang::from_tag("kz"), Some(Lang::Kk));
        assert_eq!(Lang::from_tag("ru_RU.UTF-8"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("en"), Some(Lang::En));
        assert_eq!(Lang::from_tag("de-DE"), None);
    }

    #[test]
    fn placeholders_are_filled() {
        let strings = Strings::new(Lang::En);
        let text = strings.get("tray.portInUse", &[("port", "13579")]);
        assert!(text.contains("13579"), "{text}");
        assert!(!text.contains("{port}"), "{text}");
    }
}
