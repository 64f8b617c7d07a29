//! The core schemas: User and Group (RFC 7643 §4.1, §4.2, representation in
//! §8.7.1) and the Enterprise User extension (§4.3), and the User and Group
//! resource types (§8.6).
//!
//! Every characteristic (type, multiValued, required, caseExact, mutability,
//! returned, uniqueness, canonicalValues, referenceTypes, subAttributes)
//! follows the §8.7.1 JSON; descriptions are shortened. Deliberate
//! differences, where §8.7.1 contradicts the normative sections or the
//! RFC's own examples:
//! - Group `displayName` is `required: true`: §4.2 says "REQUIRED" (and so does
//!   the description in §8.7.1), while the §8.7.1 JSON says `false`.
//! - User `addresses` has a `primary` sub-attribute (§2.4 default
//!   sub-attribute, used by the §8.2 and §8.3 examples; absent from §8.7.1).
//! - Group `members` has a `display` sub-attribute, immutable like the others
//!   (§2.4 default sub-attribute, used by the §8.4 example; absent from §8.7.1).

use crate::{
    AttrType as T, AttributeDef as A, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, Mutability,
    ResourceType, Returned, Schema, USER_SCHEMA, Uniqueness,
};

fn s(name: &str) -> A {
    A::new(name, T::String)
}

fn r(name: &str) -> A {
    A::new(name, T::Reference)
}

/// `type`, `primary`, `display`, `value` sub-attributes of a multi-valued attribute.
fn multi(name: &str, value: A, types: &[&str], description: &str) -> A {
    let mut subs = vec![
        value,
        s("display")
            .mutability(Mutability::ReadWrite)
            .description("A human-readable name, primarily used for display purposes."),
        s("type")
            .canonical_values(types.iter().copied())
            .description("A label indicating the attribute's function."),
        A::new("primary", T::Boolean).description(
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.",
        ),
    ];
    if types.is_empty() {
        subs[2].canonical_values.clear();
    }
    A::new(name, T::Complex)
        .multi_valued()
        .description(description)
        .sub_attributes(subs)
}

/// The User schema (RFC 7643 §4.1, §8.7.1).
pub fn user_schema() -> Schema {
    let name = A::new("name", T::Complex)
        .description("The components of the user's real name.")
        .sub_attributes(vec![
            s("formatted").description("The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
            s("familyName").description("The family name of the User, or last name in most Western languages."),
            s("givenName").description("The given name of the User, or first name in most Western languages."),
            s("middleName").description("The middle name(s) of the User."),
            s("honorificPrefix").description("The honorific prefix(es) of the User, or title in most Western languages."),
            s("honorificSuffix").description("The honorific suffix(es) of the User, or suffix in most Western languages."),
        ]);
    let addresses = A::new("addresses", T::Complex)
        .multi_valued()
        .description("A physical mailing address for this User.")
        .sub_attributes(vec![
            s("formatted").description(
                "The full mailing address, formatted for display or use with a mailing label.",
            ),
            s("streetAddress").description("The full street address component."),
            s("locality").description("The city or locality component."),
            s("region").description("The state or region component."),
            s("postalCode").description("The zip code or postal code component."),
            s("country").description("The country name component."),
            s("type")
                .canonical_values(["work", "home", "other"])
                .description("A label indicating the attribute's function."),
            A::new("primary", T::Boolean)
                .description("A Boolean value indicating the primary address."),
        ]);
    let groups = A::new("groups", T::Complex)
        .multi_valued()
        .mutability(Mutability::ReadOnly)
        .description("A list of groups to which the user belongs.")
        .sub_attributes(vec![
            s("value")
                .mutability(Mutability::ReadOnly)
                .description("The identifier of the User's group."),
            r("$ref")
                .mutability(Mutability::ReadOnly)
                .reference_types(["User", "Group"])
                .description("The URI of the corresponding 'Group' resource."),
            s("display")
                .mutability(Mutability::ReadOnly)
                .description("A human-readable name."),
            s("type")
                .mutability(Mutability::ReadOnly)
                .canonical_values(["direct", "indirect"])
                .description("A label indicating the attribute's function."),
        ]);
    let x509 = multi(
        "x509Certificates",
        A::new("value", T::Binary).description("The value of an X.509 certificate."),
        &[],
        "A list of certificates issued to the User.",
    );
    Schema::new(
        USER_SCHEMA,
        "User",
        vec![
            s("userName")
                .required()
                .uniqueness(Uniqueness::Server)
                .description("Unique identifier for the User, typically used by the user to directly authenticate to the service provider."),
            name,
            s("displayName").description("The name of the User, suitable for display to end-users."),
            s("nickName").description("The casual way to address the user in real life."),
            r("profileUrl").reference_types(["external"]).description("A fully qualified URL pointing to a page representing the User's online profile."),
            s("title").description("The user's title, such as \"Vice President\"."),
            s("userType").description("Used to identify the relationship between the organization and the user."),
            s("preferredLanguage").description("Indicates the User's preferred written or spoken language."),
            s("locale").description("Used to indicate the User's default location for purposes of localizing items."),
            s("timezone").description("The User's time zone in the 'Olson' time zone database format."),
            A::new("active", T::Boolean).description("A Boolean value indicating the User's administrative status."),
            s("password")
                .mutability(Mutability::WriteOnly)
                .returned(Returned::Never)
                .description("The User's cleartext password."),
            multi("emails", s("value").description("Email addresses for the user."), &["work", "home", "other"], "Email addresses for the user."),
            multi("phoneNumbers", s("value").description("Phone number of the User."), &["work", "home", "mobile", "fax", "pager", "other"], "Phone numbers for the User."),
            multi("ims", s("value").description("Instant messaging address for the User."), &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"], "Instant messaging addresses for the User."),
            multi("photos", r("value").reference_types(["external"]).description("URL of a photo of the User."), &["photo", "thumbnail"], "URLs of photos of the User."),
            addresses,
            groups,
            multi("entitlements", s("value").description("The value of an entitlement."), &[], "A list of entitlements for the User."),
            multi("roles", s("value").description("The value of a role."), &[], "A list of roles for the User."),
            x509,
        ],
    )
    .with_description("User Account")
}

/// The Group schema (RFC 7643 §4.2, §8.7.1).
pub fn group_schema() -> Schema {
    Schema::new(
        GROUP_SCHEMA,
        "Group",
        vec![
            s("displayName")
                .required()
                .description("A human-readable name for the Group."),
            A::new("members", T::Complex)
                .multi_valued()
                .description("A list of members of the Group.")
                .sub_attributes(vec![
                    s("value")
                        .mutability(Mutability::Immutable)
                        .description("Identifier of the member of this Group."),
                    r("$ref")
                        .mutability(Mutability::Immutable)
                        .reference_types(["User", "Group"])
                        .description("The URI corresponding to a SCIM resource that is a member of this Group."),
                    // Not in §8.7.1; `display` is a default sub-attribute of
                    // multi-valued attributes, immutable (§2.4), and §8.4 uses it.
                    s("display")
                        .mutability(Mutability::Immutable)
                        .description("A human-readable name, primarily used for display purposes."),
                    s("type")
                        .mutability(Mutability::Immutable)
                        .canonical_values(["User", "Group"])
                        .description("A label indicating the type of resource, e.g., 'User' or 'Group'."),
                ]),
        ],
    )
    .with_description("Group")
}

/// The Enterprise User extension (RFC 7643 §4.3, §8.7.1).
pub fn enterprise_user_schema() -> Schema {
    Schema::new(
        ENTERPRISE_USER_SCHEMA,
        "EnterpriseUser",
        vec![
            s("employeeNumber")
                .description("Numeric or alphanumeric identifier assigned to a person."),
            s("costCenter").description("Identifies the name of a cost center."),
            s("organization").description("Identifies the name of an organization."),
            s("division").description("Identifies the name of a division."),
            s("department").description("Identifies the name of a department."),
            A::new("manager", T::Complex)
                .description("The User's manager.")
                .sub_attributes(vec![
                    s("value").description(
                        "The id of the SCIM resource representing the User's manager.",
                    ),
                    r("$ref").reference_types(["User"]).description(
                        "The URI of the SCIM resource representing the User's manager.",
                    ),
                    s("displayName")
                        .mutability(Mutability::ReadOnly)
                        .description("The displayName of the User's manager."),
                ]),
        ],
    )
    .with_description("Enterprise User")
}

/// User, Group and EnterpriseUser.
pub fn core_schemas() -> Vec<Schema> {
    vec![user_schema(), group_schema(), enterprise_user_schema()]
}

/// The `User` (with the Enterprise User extension, not required) and `Group`
/// resource types (RFC 7643 §8.6).
pub fn core_resource_types() -> Vec<ResourceType> {
    vec![
        ResourceType::new("User", "/Users", USER_SCHEMA)
            .with_description("User Account")
            .with_extension(ENTERPRISE_USER_SCHEMA, false),
        ResourceType::new("Group", "/Groups", GROUP_SCHEMA).with_description("Group"),
    ]
}
