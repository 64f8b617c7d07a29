//! `entra`: the requests Microsoft Entra ID's provisioning service sends, in
//! its default job and with `aadOptscim062020` in the Tenant URL. Shapes
//! follow Microsoft Learn, "Tutorial: Develop and plan provisioning for a
//! SCIM endpoint in Microsoft Entra ID" and "Known issues and resolutions
//! with SCIM 2.0 protocol compliance"; `docs/COMPATIBILITY.md` lists what
//! they need beyond the RFC.

mod groups;
mod users;

pub(crate) use groups::{
    add_member, exclude_members, group_create, remove_member, remove_member_filter,
};
pub(crate) use users::{
    active_string, address_filter, capitalised_ops, manager_string, match_email, match_external_id,
    match_user_name, path_less_replace, soft_delete, user_create,
};

use serde_json::{Value, json};

use super::Suite;
use super::catalog::CheckInfo;
use super::cx::{Cx, ENTERPRISE, Feature, USER, ensure, form};
use super::report::Failure;

/// Test Connection: a user and a group looked up by a random GUID, form
/// encoded; both `200` with `totalResults: 0`.
pub(crate) async fn test_connection(cx: &Cx) -> Result<(), Failure> {
    let guid = uuid::Uuid::new_v4().hyphenated().to_string();
    for path in [
        format!("/Users?filter={}", form(&format!("userName eq \"{guid}\""))),
        format!(
            "/Groups?excludedAttributes=members&filter={}",
            form(&format!("displayName eq \"{guid}\""))
        ),
    ] {
        let (ex, found) = cx.list(&path).await?;
        ensure(ex.json["totalResults"] == 0 && found.is_empty(), || {
            ex.fail("200 with \"totalResults\": 0 (Test Connection fails on anything else)")
        })?;
    }
    Ok(())
}

/// The body Entra's default attribute mappings POST.
pub(crate) fn user_body(cx: &Cx, what: &str) -> Value {
    let user_name = cx.user_name(what);
    json!({
        "schemas": [USER, ENTERPRISE],
        "externalId": format!("{}-{what}", cx.prefix),
        "userName": user_name,
        "active": true,
        "displayName": format!("Check {what}"),
        "preferredLanguage": "en-US",
        "emails": [{"primary": true, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": format!("Check {what}"), "familyName": what, "givenName": "Check"},
        ENTERPRISE: {"department": "Retail"},
        "roles": []
    })
}

/// Creates a user the way Entra does; returns its id and the body.
pub(crate) async fn create_user(cx: &Cx, what: &str) -> Result<(String, Value), Failure> {
    let body = user_body(cx, what);
    let (_, id) = cx.create("Users", &body).await?;
    Ok((id, body))
}

/// The suite's checks, in order.
pub(crate) const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "entra.test_connection",
        suite: Suite::Entra,
        title: "Test Connection: lookups by a random GUID are 200 with totalResults 0",
        depends_on: &[],
        cites: "Microsoft Learn, \"Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID\", \"Integrate your SCIM endpoint\"",
        creates: false,
        needs: &[],
        run: |cx| Box::pin(test_connection(cx)),
    },
    CheckInfo {
        id: "entra.users.create",
        suite: Suite::Entra,
        title: "create with the default attribute mappings (meta, roles, enterprise extension)",
        depends_on: &["rfc.users.create"],
        cites: "Microsoft Learn, \"Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID\", \"Create User\"",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(user_create(cx)),
    },
    CheckInfo {
        id: "entra.match.user_name",
        suite: Suite::Entra,
        title: "matching by userName with a form-encoded filter",
        depends_on: &["entra.users.create"],
        cites: "Microsoft Learn, \"Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID\", \"Get User by query\"",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(match_user_name(cx)),
    },
    CheckInfo {
        id: "entra.match.external_id",
        suite: Suite::Entra,
        title: "matching by externalId",
        depends_on: &["entra.users.create"],
        cites: "Microsoft Learn, \"Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID\", \"Example 1. Query the service for a matching user\"",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(match_external_id(cx)),
    },
    CheckInfo {
        id: "entra.match.email",
        suite: Suite::Entra,
        title: "matching by emails[type eq \"work\"].value",
        depends_on: &["entra.users.create"],
        cites: "Microsoft Learn, \"Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID\"; docs/COMPATIBILITY.md, parse.value_path_sub_attr",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(match_email(cx)),
    },
    CheckInfo {
        id: "entra.patch.capitalised_ops",
        suite: Suite::Entra,
        title: "the default job's Replace and Add ops",
        depends_on: &["entra.users.create"],
        cites: "Microsoft Learn, \"Known issues and resolutions with SCIM 2.0 protocol compliance\", \"Without feature flag\"",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(capitalised_ops(cx)),
    },
    CheckInfo {
        id: "entra.patch.active_string",
        suite: Suite::Entra,
        title: "\"active\": \"False\" and \"True\" are stored and returned as booleans",
        depends_on: &["entra.users.create"],
        cites: "Microsoft Learn, \"Known issues and resolutions with SCIM 2.0 protocol compliance\" (bool_strings)",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(active_string(cx)),
    },
    CheckInfo {
        id: "entra.patch.path_less_replace",
        suite: Suite::Entra,
        title: "aadOptscim062020: a path-less replace whose keys are attribute paths",
        depends_on: &["entra.users.create"],
        cites: "Microsoft Learn, \"Known issues and resolutions with SCIM 2.0 protocol compliance\", \"Requests to replace multiple attributes\"",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(path_less_replace(cx)),
    },
    CheckInfo {
        id: "entra.patch.address_filter",
        suite: Suite::Entra,
        title: "Add addresses[type eq \"work\"].country on a user without addresses",
        depends_on: &["entra.users.create"],
        cites: "docs/COMPATIBILITY.md, create_on_filter_miss (simpleidserver/SimpleIdServer#808)",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(address_filter(cx)),
    },
    CheckInfo {
        id: "entra.patch.manager_string",
        suite: Suite::Entra,
        title: "the manager set by id as a bare string",
        depends_on: &["entra.users.create"],
        cites: "docs/COMPATIBILITY.md, manager_as_string (Entra's default attribute mapping)",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(manager_string(cx)),
    },
    CheckInfo {
        id: "entra.soft_delete",
        suite: Suite::Entra,
        title: "a disabled user is still returned by id and by userName",
        depends_on: &["entra.users.create"],
        cites: "Microsoft Learn, \"Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID\", requirements (\"Soft-deleting a user\")",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(soft_delete(cx)),
    },
    CheckInfo {
        id: "entra.groups.create",
        suite: Suite::Entra,
        title: "create a group with Entra's schema URIs and meta",
        depends_on: &["rfc.users.create"],
        cites: "Microsoft Learn, \"Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID\", \"Create Group\"",
        creates: true,
        needs: &[],
        run: |cx| Box::pin(group_create(cx)),
    },
    CheckInfo {
        id: "entra.groups.add_member",
        suite: Suite::Entra,
        title: "one Add PATCH per member; re-adding a member changes nothing",
        depends_on: &["entra.groups.create", "entra.users.create"],
        cites: "Microsoft Learn, \"Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID\", \"Update Group [Add Members]\"",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(add_member(cx)),
    },
    CheckInfo {
        id: "entra.groups.remove_member",
        suite: Suite::Entra,
        title: "Remove on members with a value list removes only that member",
        depends_on: &["entra.groups.create", "entra.users.create"],
        cites: "Microsoft Learn, \"Known issues and resolutions with SCIM 2.0 protocol compliance\", \"Requests to remove a group member\"",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(remove_member(cx)),
    },
    CheckInfo {
        id: "entra.groups.remove_member_filter",
        suite: Suite::Entra,
        title: "aadOptscim062020: remove members[value eq \"…\"]",
        depends_on: &["entra.groups.create", "entra.users.create"],
        cites: "Microsoft Learn, \"Known issues and resolutions with SCIM 2.0 protocol compliance\", \"With feature flag\"",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(remove_member_filter(cx)),
    },
    CheckInfo {
        id: "entra.groups.exclude_members",
        suite: Suite::Entra,
        title: "excludedAttributes=members returns no members",
        depends_on: &["entra.groups.create", "entra.users.create"],
        cites: "Microsoft Learn, \"Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID\", \"Get Group by displayName\"",
        creates: true,
        needs: &[Feature::Patch],
        run: |cx| Box::pin(exclude_members(cx)),
    },
];
