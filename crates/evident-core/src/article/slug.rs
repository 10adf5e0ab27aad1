//! Article slugs: the stable, readable address made from a question (`/articles/{slug}`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Longest slug made from a question, in bytes; a store may add `-N` to make it unique.
const MAX_LEN: usize = 80;

/// A slug: lowercase ASCII letters, digits and single hyphens, 1 to 100 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    /// The slug of a question: its words, lowercased and joined by hyphens, cut at a word
    /// boundary. Letters outside ASCII lose their accents or are dropped.
    pub fn from_question(question: &str) -> Slug {
        let mut out = String::new();
        for word in question
            .split(|c: char| !c.is_alphanumeric())
            .map(ascii_word)
            .filter(|w| !w.is_empty())
        {
            let extra = word.len() + usize::from(!out.is_empty());
            if out.len() + extra > MAX_LEN {
                if out.is_empty() {
                    out.push_str(&word[..MAX_LEN]);
                }
                break;
            }
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(&word);
        }
        if out.is_empty() {
            out.push_str("question");
        }
        Slug(out)
    }

    /// This slug with `-n` appended (`n` ≥ 2), for a second article with the same question.
    pub fn numbered(&self, n: u32) -> Slug {
        Slug(format!("{}-{n}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How the audit trail names the article with this slug: `article:SLUG`.
    pub fn audit_object(&self) -> String {
        format!("article:{}", self.0)
    }
}

fn ascii_word(word: &str) -> String {
    word.chars()
        .filter_map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() {
                Some(c)
            } else {
                fold(c)
            }
        })
        .collect()
}

/// The plain letter of a few accented ones common in clinical text (Sjögren, Ménière).
fn fold(c: char) -> Option<char> {
    let plain = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' | 'Ö' | 'Ó' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ü' => 'u',
        _ => return None,
    };
    Some(plain)
}

impl FromStr for Slug {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = !s.is_empty()
            && s.len() <= 100
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(Slug(s.to_string()))
        } else {
            Err(format!(
                "'{s}' is not an article slug (lowercase letters, digits and single hyphens)"
            ))
        }
    }
}

impl TryFrom<String> for Slug {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
