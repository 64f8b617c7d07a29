//! The nom grammar. (Placeholder: the real grammar lands with issue 2.)

use crate::{AttrPath, Expected, Filter, ParseError, ParseOptions, PatchPath, Target};

pub(crate) fn filter<'a>(_input: &'a str, _o: &ParseOptions) -> Result<Filter<'a>, ParseError> {
    Err(ParseError::new(Target::Filter, 0, Expected::Filter))
}

pub(crate) fn patch_path<'a>(
    _input: &'a str,
    _o: &ParseOptions,
) -> Result<PatchPath<'a>, ParseError> {
    Err(ParseError::new(Target::PatchPath, 0, Expected::AttrName))
}

pub(crate) fn attr_path_only<'a>(
    _input: &'a str,
    _o: &ParseOptions,
) -> Result<AttrPath<'a>, ParseError> {
    Err(ParseError::new(Target::AttrPath, 0, Expected::AttrName))
}
