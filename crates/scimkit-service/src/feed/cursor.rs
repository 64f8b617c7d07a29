//! [`Cursor`]: an opaque, totally ordered position in a change feed.

use std::fmt;
use std::str::FromStr;

/// The longest cursor accepted from outside (bytes).
pub const MAX_CURSOR_LEN: usize = 128;

/// An opaque, totally ordered position in a feed.
///
/// Stores encode their positions as fixed-width strings so that string
/// order is feed order (e.g. 16 hex digits per part). A reader keeps the
/// cursor of the last record it handled and resumes after it.
///
/// ```
/// use scimkit_service::Cursor;
/// let c: Cursor = "000000000000002a".parse().unwrap();
/// assert_eq!(c.as_str(), "000000000000002a");
/// assert!("".parse::<Cursor>().is_err());
/// assert!("a b".parse::<Cursor>().is_err());
/// ```
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Cursor(#[serde(deserialize_with = "deserialize_checked")] String);

impl Cursor {
    /// A cursor from a store's own encoding (not checked: use
    /// [`str::parse`] for a cursor that comes from outside).
    pub fn new(s: impl Into<String>) -> Self {
        Cursor(s.into())
    }

    /// The cursor's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a text is not a cursor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidCursor {
    /// The text is empty.
    #[error("a cursor is not empty")]
    Empty,
    /// The text is longer than [`MAX_CURSOR_LEN`] bytes.
    #[error("a cursor has at most {MAX_CURSOR_LEN} bytes, this one has {0}")]
    TooLong(usize),
    /// A byte that is not printable ASCII, at this offset.
    #[error("a cursor is printable ASCII; byte {0} is not")]
    Character(usize),
}

impl FromStr for Cursor {
    type Err = InvalidCursor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(InvalidCursor::Empty);
        }
        if s.len() > MAX_CURSOR_LEN {
            return Err(InvalidCursor::TooLong(s.len()));
        }
        if let Some(i) = s.bytes().position(|b| !b.is_ascii_graphic()) {
            return Err(InvalidCursor::Character(i));
        }
        Ok(Cursor(s.to_owned()))
    }
}

fn deserialize_checked<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = <String as serde::Deserialize>::deserialize(d)?;
    s.parse::<Cursor>()
        .map(|c| c.0)
        .map_err(serde::de::Error::custom)
}
