//! One tenant's resources of one type, with hash indexes on the attributes
//! IdPs look up by and on every server-unique attribute.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use scimkit_schema::eval::{FlatResource, Node, Operand};
use scimkit_schema::{
    AttrType, AttributeDef, Resource, ResourceSchema, Uniqueness, common_attributes, get_ci,
};

use crate::store::{ListQuery, ListResult, PageCollector, StoreError, StoredResource};

/// Attributes indexed whatever their uniqueness: the ones IdPs query with `eq`.
const LOOKUP_ATTRIBUTES: [&str; 3] = ["userName", "externalId", "displayName"];

#[derive(Debug)]
struct Index {
    /// The canonical attribute name.
    name: String,
    case_exact: bool,
    unique: bool,
    /// Normalised value -> ids.
    map: HashMap<String, BTreeSet<String>>,
}

impl Index {
    fn key(&self, value: &str) -> String {
        if self.case_exact {
            value.to_owned()
        } else {
            value.to_lowercase()
        }
    }

    fn value_of<'r>(&self, r: &'r Resource) -> Option<&'r str> {
        get_ci(r.as_map(), &self.name).and_then(|(_, v)| v.as_str())
    }
}

/// A stored resource with the copy filters are matched against.
#[derive(Debug)]
struct Entry {
    stored: StoredResource,
    /// Built on every write; scans read it instead of the `serde_json` tree
    /// (several times faster once a tenant outgrows the CPU caches).
    flat: FlatResource,
}

impl AsRef<FlatResource> for Entry {
    fn as_ref(&self) -> &FlatResource {
        &self.flat
    }
}

#[derive(Debug)]
pub(super) struct Partition {
    /// By id; lists come out in id order.
    resources: BTreeMap<String, Entry>,
    indexes: Vec<Index>,
}

fn indexable(a: &AttributeDef) -> bool {
    !a.multi_valued && matches!(a.attr_type, AttrType::String | AttrType::Reference)
}

impl Partition {
    pub(super) fn new(rs: &ResourceSchema) -> Self {
        let indexes = common_attributes()
            .iter()
            .chain(rs.base().attributes.iter())
            .filter(|a| indexable(a))
            .filter(|a| {
                a.uniqueness != Uniqueness::None
                    || LOOKUP_ATTRIBUTES
                        .iter()
                        .any(|n| n.eq_ignore_ascii_case(&a.name))
            })
            .map(|a| Index {
                name: a.name.clone(),
                case_exact: a.case_exact,
                unique: a.uniqueness != Uniqueness::None,
                map: HashMap::new(),
            })
            .collect();
        Partition {
            resources: BTreeMap::new(),
            indexes,
        }
    }

    pub(super) fn get(&self, id: &str) -> Option<&StoredResource> {
        self.resources.get(id).map(|e| &e.stored)
    }

    /// Fails with `Conflict` when `r` would share a unique value with a
    /// resource other than `own_id`.
    pub(super) fn check_unique(
        &self,
        r: &Resource,
        own_id: Option<&str>,
    ) -> Result<(), StoreError> {
        for ix in self.indexes.iter().filter(|ix| ix.unique) {
            let Some(v) = ix.value_of(r) else { continue };
            let taken = ix
                .map
                .get(&ix.key(v))
                .is_some_and(|ids| ids.iter().any(|id| Some(id.as_str()) != own_id));
            if taken {
                return Err(StoreError::Conflict {
                    detail: format!("{} {v:?} is already in use", ix.name),
                });
            }
        }
        Ok(())
    }

    /// Inserts or replaces a resource, keeping the indexes right.
    pub(super) fn insert(&mut self, stored: StoredResource) {
        self.remove(&stored.id.clone());
        for ix in &mut self.indexes {
            if let Some(v) = ix.value_of(&stored.resource) {
                let k = ix.key(v);
                ix.map.entry(k).or_default().insert(stored.id.clone());
            }
        }
        let flat = FlatResource::new(&stored.resource);
        self.resources
            .insert(stored.id.clone(), Entry { stored, flat });
    }

    /// The resources whose `members` list a member with value `id`.
    pub(super) fn listing_member(&self, id: &str) -> Vec<StoredResource> {
        self.resources
            .values()
            .filter(|e| {
                let map = e.stored.resource.as_map();
                match scimkit_schema::get_ci(map, "members") {
                    Some((_, serde_json::Value::Array(items))) => items.iter().any(|m| {
                        m.as_object()
                            .and_then(|o| scimkit_schema::get_ci(o, "value"))
                            .and_then(|(_, v)| v.as_str())
                            == Some(id)
                    }),
                    _ => false,
                }
            })
            .map(|e| e.stored.clone())
            .collect()
    }

    pub(super) fn remove(&mut self, id: &str) {
        let Some(Entry { stored: old, .. }) = self.resources.remove(id) else {
            return;
        };
        for ix in &mut self.indexes {
            if let Some(v) = ix.value_of(&old.resource) {
                let k = ix.key(v);
                if let Some(ids) = ix.map.get_mut(&k) {
                    ids.remove(id);
                    if ids.is_empty() {
                        ix.map.remove(&k);
                    }
                }
            }
        }
    }

    /// Filters, sorts and pages here, holding at most about twice
    /// `start_index - 1 + count` resources (see [`PageCollector`]): by index
    /// when the filter has an indexed `eq` term, else by a scan of at most
    /// `max_scan` resources (`400 tooMany` beyond). Unsorted lists come in
    /// id order, so pages are stable between requests.
    pub(super) fn list(&self, q: &ListQuery<'_>) -> Result<ListResult, StoreError> {
        let mut c = PageCollector::new(q, true, q.sort.is_none());
        let Some(filter) = q.compiled else {
            if q.sort.is_none() {
                let skip = usize::try_from(q.start_index.saturating_sub(1)).unwrap_or(usize::MAX);
                let take = usize::try_from(q.count).unwrap_or(usize::MAX);
                let page = (self.resources.values().skip(skip).take(take))
                    .map(|e| e.stored.clone())
                    .collect();
                return Ok(ListResult::complete(page, self.resources.len() as u64));
            }
            for e in self.resources.values() {
                c.offer(e.stored.clone())?;
            }
            let (page, total) = c.finish();
            return Ok(ListResult::complete(page, total));
        };
        let visited = Cell::new(0u64);
        let budget = usize::try_from(q.max_scan.saturating_add(1)).unwrap_or(usize::MAX);
        match self.candidates(filter.root()) {
            Some(ids) => {
                let entries = ids.iter().filter_map(|id| self.resources.get(id));
                for e in entries.take(budget) {
                    visited.set(visited.get() + 1);
                    if filter.matches_flat(&e.flat) {
                        c.offer(e.stored.clone())?;
                    }
                }
            }
            None => {
                let entries = (self.resources.values().take(budget))
                    .inspect(|_| visited.set(visited.get() + 1));
                for e in filter.select_flat(entries) {
                    c.offer(e.stored.clone())?;
                }
            }
        }
        if visited.get() > q.max_scan {
            return Err(StoreError::too_many_to_scan(q.max_scan));
        }
        let (page, total) = c.finish();
        Ok(ListResult::complete(page, total))
    }

    /// The ids an indexed `eq` term of the filter narrows to (a superset of
    /// the matches), or `None` when the filter has no such term.
    fn candidates(&self, node: &Node) -> Option<&BTreeSet<String>> {
        static EMPTY: BTreeSet<String> = BTreeSet::new();
        match node {
            Node::Compare(c) => {
                let a = c.attr();
                if c.op() != scimkit_filter::CompareOp::Eq
                    || a.extension().is_some()
                    || a.sub().is_some()
                    || a.multi_valued()
                {
                    return None;
                }
                let Operand::String(s) = c.value() else {
                    return None;
                };
                let ix = self
                    .indexes
                    .iter()
                    .find(|ix| ix.name == a.name() && ix.case_exact == s.case_exact())?;
                // The operand is lowercased already when the attribute is not caseExact.
                Some(ix.map.get(s.text()).unwrap_or(&EMPTY))
            }
            Node::And(children) => children.iter().find_map(|c| self.candidates(c)),
            _ => None,
        }
    }
}
