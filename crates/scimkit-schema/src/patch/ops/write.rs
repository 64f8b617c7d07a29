//! The journaled writes every operation makes: the whole value of a
//! top-level attribute, its canonical spelling, the `schemas` list and
//! extension objects (RFC 7644 §3.5.2: all operations or none).

use super::*;

impl<'s> Cx<'_, 's> {
    pub(super) fn mark(&mut self, t: &Target<'s, '_>) {
        self.j.mark(t.ext, &t.attr.name);
    }

    /// Renames `key` in the container to `canonical` when it is spelled in
    /// another case, keeping its position.
    pub(super) fn canonicalise(&mut self, ext: Ext<'s>, canonical: &'s str) {
        let Some(c) = container_mut(self.root, ext) else {
            return;
        };
        if has_exact(c, canonical) {
            return;
        }
        let Some(old_key) = c
            .keys()
            .find(|k| k.eq_ignore_ascii_case(canonical))
            .cloned()
        else {
            return;
        };
        let index = index_of(c, &old_key);
        let Some(v) = c.shift_remove(&old_key) else {
            return;
        };
        c.shift_insert(index, canonical.to_owned(), v.clone());
        self.j.replaced(ext, Cow::Owned(old_key), Some((index, v)));
        self.j.replaced(ext, Cow::Borrowed(canonical), None);
    }

    /// Makes sure the container exists (creating an extension object and
    /// listing its URI in `schemas`) and the attribute's key is canonical.
    pub(super) fn prepare(&mut self, t: &Target<'s, '_>) -> Result<(), ScimError> {
        if let Some(uri) = t.ext {
            self.canonicalise(None, uri);
            match field(self.root, uri) {
                Some(Value::Object(_)) => {}
                Some(Value::Null) | None => {
                    let old = self
                        .root
                        .get(uri)
                        .map(|v| (index_of(self.root, uri), v.clone()));
                    self.root.insert(uri.to_owned(), Value::Object(Map::new()));
                    self.j.replaced(None, Cow::Borrowed(uri), old);
                    self.add_schema_uri(uri);
                }
                Some(_) => {
                    return Err(ScimError::invalid_value(format!(
                        "the resource's {uri} is not a JSON object"
                    )));
                }
            }
        }
        self.canonicalise(t.ext, &t.attr.name);
        Ok(())
    }

    pub(super) fn add_schema_uri(&mut self, uri: &'s str) {
        self.canonicalise(None, "schemas");
        let listed = match self.root.get("schemas") {
            Some(Value::Array(a)) => a
                .iter()
                .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(uri))),
            _ => false,
        };
        if listed {
            return;
        }
        self.j.snapshot(self.root, None, "schemas");
        match self.root.get_mut("schemas") {
            Some(Value::Array(a)) => a.push(Value::String(uri.to_owned())),
            _ => {
                self.root.insert(
                    "schemas".to_owned(),
                    Value::Array(vec![Value::String(uri.to_owned())]),
                );
            }
        }
        self.j.mark(None, "schemas");
    }

    /// Removes an extension object that became empty, and its URI from `schemas`.
    pub(super) fn drop_ext_if_empty(&mut self, ext: Ext<'s>) {
        let Some(uri) = ext else { return };
        if matches!(self.root.get(uri), Some(Value::Object(m)) if m.is_empty()) {
            self.remove_ext(uri);
        }
    }

    /// Removes an extension object and its URI from `schemas`.
    pub(crate) fn remove_ext(&mut self, uri: &'s str) {
        self.j.seen = None;
        self.j.index = None;
        self.canonicalise(None, uri);
        let index = index_of(self.root, uri);
        if let Some(old) = self.root.shift_remove(uri) {
            self.j
                .replaced(None, Cow::Borrowed(uri), Some((index, old)));
            self.j.mark(None, uri);
        }
        let listed = matches!(self.root.get("schemas"), Some(Value::Array(a))
            if a.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(uri))));
        if listed {
            self.j.snapshot(self.root, None, "schemas");
            if let Some(Value::Array(a)) = self.root.get_mut("schemas") {
                a.retain(|s| !s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(uri)));
            }
            self.j.mark(None, "schemas");
        }
    }

    pub(super) fn current(&self, t: &Target<'_, '_>) -> Option<&Value> {
        container(self.root, t.ext).and_then(|c| field(c, &t.attr.name))
    }

    pub(super) fn slot(&mut self, t: &Target<'_, '_>) -> Option<&mut Value> {
        container_mut(self.root, t.ext).and_then(|c| field_exact_mut(c, &t.attr.name))
    }

    /// Sets the whole attribute (the old value is moved into the journal).
    pub(super) fn set_whole(&mut self, t: &Target<'s, '_>, new: Value) -> Result<(), ScimError> {
        self.prepare(t)?;
        let Some(c) = container_mut(self.root, t.ext) else {
            return Ok(());
        };
        let key = t.attr.name.as_str();
        match field_exact_mut(c, key) {
            Some(slot) => {
                let old = std::mem::replace(slot, new);
                if !self.j.covered(t.ext, key) {
                    let index = index_of(c, key);
                    self.j
                        .replaced(t.ext, Cow::Borrowed(key), Some((index, old)));
                }
            }
            None => {
                c.insert(key.to_owned(), new);
                self.j.replaced(t.ext, Cow::Borrowed(key), None);
            }
        }
        self.mark(t);
        Ok(())
    }

    /// Removes the whole attribute.
    pub(super) fn remove_whole(&mut self, t: &Target<'s, '_>) {
        self.canonicalise(t.ext, &t.attr.name);
        let Some(c) = container_mut(self.root, t.ext) else {
            return;
        };
        let index = index_of(c, &t.attr.name);
        if let Some(old) = c.shift_remove(&t.attr.name) {
            if is_members(t) {
                self.j.members_removed.extend(member_ids(&old));
            }
            self.j
                .replaced(t.ext, Cow::Borrowed(&t.attr.name), Some((index, old)));
            self.mark(t);
        }
        self.drop_ext_if_empty(t.ext);
    }
}
