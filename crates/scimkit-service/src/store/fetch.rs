//! What a read must load: [`Fetch`].
//!
//! RFC 7644 §3.9 lets a client leave attributes out of a response
//! (`excludedAttributes`, or an `attributes` list that does not name them).
//! Entra ID sends `excludedAttributes=members` on every group lookup; a store
//! that keeps members as rows (the SQL stores) need not read them then.

use scimkit_schema::project::Projection;
use scimkit_schema::{ResourceSchema, Returned};

/// What a store may leave out of the resources it reads. The default loads
/// everything; a store that keeps everything in one document may ignore it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fetch {
    /// Leave out `members` (the response will not show it).
    pub skip_members: bool,
}

impl Fetch {
    /// Load everything.
    pub fn all() -> Self {
        Fetch::default()
    }

    /// Load everything but `members`.
    pub fn without_members() -> Self {
        Fetch { skip_members: true }
    }

    /// What a response shaped by `projection` needs of a resource of `rs`:
    /// `members` is skipped when `excludedAttributes` names it, or when
    /// `attributes` is given and names neither it nor one of its
    /// sub-attributes (and it is not `returned: always`).
    pub fn for_projection(projection: &Projection, rs: &ResourceSchema) -> Self {
        let is_members = |p: &scimkit_filter::AttrPath<'_>| {
            rs.resolve(p)
                .is_some_and(|r| !r.in_extension && r.attr.name.eq_ignore_ascii_case("members"))
        };
        let Some(members) = rs.resolve(&scimkit_filter::AttrPath::new("members")) else {
            return Fetch::all();
        };
        if members.in_extension || members.attr.returned == Returned::Always {
            return Fetch::all();
        }
        let excluded = projection
            .excluded()
            .iter()
            .any(|p| p.sub.is_none() && is_members(p));
        let not_asked =
            !projection.attributes().is_empty() && !projection.attributes().iter().any(is_members);
        Fetch {
            skip_members: excluded || not_asked,
        }
    }
}
