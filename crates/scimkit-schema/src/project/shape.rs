//! Builds the projected representation (RFC 7643 §2.2 `returned`; RFC 7644
//! §3.4.2.5). Paths are resolved against the resource type once per call;
//! values that need no trimming are cloned whole.

use scimkit_filter::AttrPath;
use serde_json::{Map, Value};

use super::Projection;
use crate::{AttributeDef, Resource, ResourceSchema, Returned, Schema, common_attributes};

/// A path of the projection, resolved.
#[derive(Clone, Copy)]
enum Sel<'s> {
    /// An attribute, or one of its sub-attributes.
    Attr(&'s AttributeDef, Option<&'s AttributeDef>),
    /// A whole extension.
    Ext(&'s Schema),
}

fn resolve<'s>(paths: &[AttrPath<'static>], rs: &'s ResourceSchema) -> Vec<Sel<'s>> {
    paths
        .iter()
        .filter_map(|p| {
            if let Some(s) = rs.extension_named_by(p) {
                return Some(Sel::Ext(s));
            }
            if p.sub.is_none()
                && let Some(uri) = p.schema.as_deref()
            {
                // `urn:…:2.0:User` parses as schema `urn:…:2.0`, attribute `User`.
                let whole = format!("{uri}:{}", p.attr);
                if let Some(s) = rs.extension(&whole) {
                    return Some(Sel::Ext(s));
                }
            }
            rs.resolve(p).map(|r| Sel::Attr(r.attr, r.sub))
        })
        .collect()
}

/// The resolved projection.
struct Plan<'s> {
    /// `attributes` was given: only what it names (and `always`) is returned.
    only: bool,
    attributes: Vec<Sel<'s>>,
    excluded: Vec<Sel<'s>>,
}

/// How an attribute is to be returned.
enum Take<'s> {
    Drop,
    /// Every sub-attribute whose `returned` allows it.
    Whole,
    /// With `attributes`: these named sub-attributes (plus `always` ones).
    Named(Vec<&'s AttributeDef>),
}

impl<'s> Plan<'s> {
    fn names_whole(list: &[Sel<'s>], def: &AttributeDef, ext: Option<&Schema>) -> bool {
        list.iter().any(|s| match *s {
            Sel::Attr(a, None) => std::ptr::eq(a, def),
            Sel::Ext(e) => ext.is_some_and(|x| std::ptr::eq(x, e)),
            Sel::Attr(_, Some(_)) => false,
        })
    }

    fn named_subs(list: &[Sel<'s>], def: &AttributeDef) -> Vec<&'s AttributeDef> {
        list.iter()
            .filter_map(|s| match *s {
                Sel::Attr(a, Some(sub)) if std::ptr::eq(a, def) => Some(sub),
                _ => None,
            })
            .collect()
    }

    fn take(&self, def: &AttributeDef, ext: Option<&Schema>) -> Take<'s> {
        match def.returned {
            Returned::Never => Take::Drop,
            Returned::Always => Take::Whole,
            _ if self.only => {
                if Self::names_whole(&self.attributes, def, ext) {
                    Take::Whole
                } else {
                    let subs = Self::named_subs(&self.attributes, def);
                    if subs.is_empty() {
                        Take::Drop
                    } else {
                        Take::Named(subs)
                    }
                }
            }
            Returned::Request => Take::Drop,
            Returned::Default => {
                if Self::names_whole(&self.excluded, def, ext) {
                    Take::Drop
                } else {
                    Take::Whole
                }
            }
        }
    }

    /// Whether sub-attribute `sub` of `def` is returned under `take`.
    fn keep_sub(&self, def: &AttributeDef, sub: &AttributeDef, take: &Take<'s>) -> bool {
        let named = |list: &[Sel<'s>]| {
            list.iter().any(
                |s| matches!(*s, Sel::Attr(a, Some(x)) if std::ptr::eq(a, def) && std::ptr::eq(x, sub)),
            )
        };
        match sub.returned {
            Returned::Never => false,
            Returned::Always => true,
            Returned::Request => self.only && named(&self.attributes),
            Returned::Default => match take {
                Take::Named(subs) => subs.iter().any(|x| std::ptr::eq(*x, sub)),
                _ => def.returned == Returned::Always || !named(&self.excluded),
            },
        }
    }

    /// Whether `def`'s values can be cloned as they are under `take`.
    fn untouched(&self, def: &AttributeDef, take: &Take<'s>) -> bool {
        matches!(take, Take::Whole)
            && def.sub_attributes.iter().all(|s| {
                matches!(s.returned, Returned::Default | Returned::Always)
                    && (def.returned == Returned::Always
                        || !self
                            .excluded
                            .iter()
                            .any(|e| matches!(*e, Sel::Attr(a, Some(_)) if std::ptr::eq(a, def))))
            })
    }
}

pub(super) fn shape(resource: &Resource, rs: &ResourceSchema, projection: &Projection) -> Value {
    let plan = Plan {
        only: !projection.attributes.is_empty(),
        attributes: resolve(&projection.attributes, rs),
        excluded: resolve(&projection.excluded, rs),
    };
    let mut out = Map::new();
    for (key, v) in resource.as_map() {
        if let Some(def) = common_attributes()
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(key))
            .or_else(|| rs.base().attribute(key))
        {
            if let Some(v) = attr(&plan, def, None, v) {
                out.insert(key.clone(), v);
            }
        } else if let Some(ext) = rs.extension(key) {
            let Value::Object(m) = v else { continue };
            let mut e = Map::new();
            for (k, v) in m {
                let Some(def) = ext.attribute(k) else {
                    if !plan.only {
                        e.insert(k.clone(), v.clone());
                    }
                    continue;
                };
                if let Some(v) = attr(&plan, def, Some(ext), v) {
                    e.insert(k.clone(), v);
                }
            }
            if !e.is_empty() {
                out.insert(key.clone(), Value::Object(e));
            }
        } else if !plan.only {
            // Not in the schema (stored by the service itself): returned by default.
            out.insert(key.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// The projected value of attribute `def`, or `None` when it is not returned.
fn attr(plan: &Plan<'_>, def: &AttributeDef, ext: Option<&Schema>, v: &Value) -> Option<Value> {
    let take = plan.take(def, ext);
    if matches!(take, Take::Drop) || v.is_null() {
        return None;
    }
    if !def.is_complex() || plan.untouched(def, &take) {
        return Some(v.clone());
    }
    let trim = |v: &Value| -> Option<Value> {
        let Value::Object(m) = v else {
            return Some(v.clone());
        };
        let kept: Map<String, Value> = m
            .iter()
            .filter(|(k, _)| match def.sub_attribute(k) {
                Some(sub) => plan.keep_sub(def, sub, &take),
                None => !plan.only,
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (!kept.is_empty()).then_some(Value::Object(kept))
    };
    match v {
        Value::Array(items) => {
            let kept: Vec<Value> = items.iter().filter_map(trim).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        other => trim(other),
    }
}
