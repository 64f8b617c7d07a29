//! Where in a resource a value sits, for error details (`emails[1].primary`,
//! `urn:…:enterprise:2.0:User:manager.value`). Built on the stack, printed
//! only when an error is reported.

use std::fmt;

/// The location of a value: extension, attribute, element index, sub-attribute.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Loc<'a> {
    pub(crate) ext: Option<&'a str>,
    pub(crate) attr: &'a str,
    pub(crate) index: Option<usize>,
    pub(crate) sub: Option<&'a str>,
}

impl<'a> Loc<'a> {
    /// A top-level attribute, in the base schema or in extension `ext`.
    pub(crate) fn attr(ext: Option<&'a str>, attr: &'a str) -> Self {
        Loc {
            ext,
            attr,
            index: None,
            sub: None,
        }
    }

    /// The `i`th element of this (multi-valued) attribute.
    pub(crate) fn at(self, i: usize) -> Self {
        Loc {
            index: Some(i),
            ..self
        }
    }

    /// The sub-attribute `sub` of this attribute (or element).
    pub(crate) fn sub(self, sub: &'a str) -> Self {
        Loc {
            sub: Some(sub),
            ..self
        }
    }
}

impl fmt::Display for Loc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ext) = self.ext {
            write!(f, "{ext}:")?;
        }
        f.write_str(self.attr)?;
        if let Some(i) = self.index {
            write!(f, "[{i}]")?;
        }
        if let Some(sub) = self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}
