//! Where an attribute's values live: an extracted column, the JSON document
//! (under the extension's URN key for extension attributes, RFC 7643 §3.3),
//! or the `group_members` table.

use scimkit_schema::AttrType;
use scimkit_schema::eval::AttrInfo;

use super::Scope;
use crate::sql::is_safe_name;

/// How an extracted column compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColKind {
    /// Text as stored, compared as is (`id`, `externalId`).
    Exact,
    /// Text lowercased by [`super::fold`] when written; compared with the
    /// (already lowercased) needle of a case-insensitive attribute.
    Folded,
    /// A timestamp (`meta.created`, `meta.lastModified`).
    Time,
}

/// Where the values compared live, at the resource level.
#[derive(Debug, Clone)]
pub(crate) enum Source<'a> {
    /// A column of `resources` (alias `r`).
    Column(&'static str, ColKind),
    /// A JSON value of `r.data`: `keys` lead to the attribute; when `multi`,
    /// it is an array whose elements are compared (their `sub` field, or the
    /// element itself).
    Json {
        keys: Vec<&'a str>,
        sub: Option<&'a str>,
        multi: bool,
    },
    /// The rows of `group_members` of the group; `sub` names the column.
    Members { sub: Option<&'a str> },
}

impl<'a> Source<'a> {
    /// Where the values of `a` live, or `None` when a name is not safe to
    /// write into SQL (then the term is evaluated in memory).
    pub(crate) fn row(scope: &Scope<'_>, a: &'a AttrInfo) -> Option<Source<'a>> {
        if a.extension().is_none() {
            match (a.name(), a.sub()) {
                ("id", None) => return Some(Source::Column("r.id", ColKind::Exact)),
                ("externalId", None) if a.case_exact() => {
                    return Some(Source::Column("r.external_id", ColKind::Exact));
                }
                ("userName", None) if scope.user_name_column && !a.case_exact() => {
                    return Some(Source::Column("r.user_name_lower", ColKind::Folded));
                }
                ("displayName", None) if scope.display_name_column && !a.case_exact() => {
                    return Some(Source::Column("r.display_name_lower", ColKind::Folded));
                }
                ("meta", Some("created")) if a.attr_type() == AttrType::DateTime => {
                    return Some(Source::Column("r.created", ColKind::Time));
                }
                ("meta", Some("lastModified")) if a.attr_type() == AttrType::DateTime => {
                    return Some(Source::Column("r.last_modified", ColKind::Time));
                }
                ("meta", _) => return None,
                ("members", sub) if scope.members_table && a.multi_valued() => {
                    return Some(Source::Members { sub });
                }
                _ => {}
            }
        }
        let mut keys = Vec::with_capacity(2);
        if let Some(ext) = a.extension() {
            keys.push(ext);
        }
        keys.push(a.name());
        if !keys.iter().all(|k| is_safe_name(k)) || !a.sub().is_none_or(is_safe_name) {
            return None;
        }
        Some(Source::Json {
            keys,
            sub: a.sub(),
            multi: a.multi_valued(),
        })
    }
}

/// The `group_members` column holding a member's sub-attribute, and whether
/// it is stored lowercased.
pub(crate) fn member_column(sub: &str, case_exact: bool) -> Option<(&'static str, ColKind)> {
    Some(match sub {
        "value" if case_exact => ("m.member_id", ColKind::Exact),
        "value" => ("m.member_id_lower", ColKind::Folded),
        "type" => ("m.type", ColKind::Exact),
        "display" => ("m.display", ColKind::Exact),
        "$ref" => ("m.ref", ColKind::Exact),
        _ => return None,
    })
}
