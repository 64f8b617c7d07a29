//! The schemas of the discovery resources (RFC 7643 §5, §6, §7; JSON
//! representation in §8.7.2): ServiceProviderConfig, ResourceType and Schema.
//!
//! They are served at `/Schemas` (RFC 7644 §4) but are not resource types:
//! nothing is created, filtered or patched against them.
//!
//! Deliberate differences from the §8.7.2 text, each a known erratum or
//! a contradiction with the normative sections:
//! - `schemaExtensions` is multi-valued (erratum 7522, verified).
//! - `referenceTypes` and `canonicalValues` are multi-valued (erratum 5607, verified).
//! - `authenticationSchemes` has the `type` and `primary` sub-attributes
//!   §5 defines (erratum 8011), and the configuration has `etag` (§5).
//! - The `type` of an attribute lists `binary` among its canonical values (§2.3.6).

use crate::{
    AttrType as T, AttributeDef as A, Mutability, RESOURCE_TYPE_SCHEMA, Returned, SCHEMA_SCHEMA,
    SERVICE_PROVIDER_CONFIG_SCHEMA, Schema,
};

/// A read-only attribute, as everything of the discovery resources is.
fn ro(name: &str, t: T) -> A {
    A::new(name, t).mutability(Mutability::ReadOnly)
}

fn supported(name: &str, description: &str, extra: Vec<A>) -> A {
    let mut subs = vec![
        ro("supported", T::Boolean)
            .required()
            .description("A Boolean value specifying whether or not the operation is supported."),
    ];
    subs.extend(extra);
    ro(name, T::Complex)
        .required()
        .description(description)
        .sub_attributes(subs)
}

/// The ServiceProviderConfig schema (RFC 7643 §5, §8.7.2).
pub fn service_provider_config_schema() -> Schema {
    let max = |name: &str, d: &str| ro(name, T::Integer).required().description(d);
    Schema::new(
        SERVICE_PROVIDER_CONFIG_SCHEMA,
        "Service Provider Configuration",
        vec![
            ro("documentationUri", T::Reference)
                .reference_types(["external"])
                .description("An HTTP-addressable URL pointing to the service provider's human-consumable help documentation."),
            supported("patch", "A complex type that specifies PATCH configuration options.", vec![]),
            supported(
                "bulk",
                "A complex type that specifies bulk configuration options.",
                vec![
                    max("maxOperations", "An integer value specifying the maximum number of operations."),
                    max("maxPayloadSize", "An integer value specifying the maximum payload size in bytes."),
                ],
            ),
            supported(
                "filter",
                "A complex type that specifies FILTER options.",
                vec![max("maxResults", "An integer value specifying the maximum number of resources returned in a response.")],
            ),
            supported("changePassword", "A complex type that specifies configuration options related to changing a password.", vec![]),
            supported("sort", "A complex type that specifies sort result options.", vec![]),
            supported("etag", "A complex type that specifies ETag configuration options.", vec![]),
            ro("authenticationSchemes", T::Complex)
                .multi_valued()
                .required()
                .description("A complex type that specifies supported authentication scheme properties.")
                .sub_attributes(vec![
                    ro("type", T::String)
                        .required()
                        .canonical_values(["oauth", "oauth2", "oauthbearertoken", "httpbasic", "httpdigest"])
                        .description("The authentication scheme."),
                    ro("name", T::String)
                        .required()
                        .description("The common authentication scheme name, e.g., HTTP Basic."),
                    ro("description", T::String)
                        .required()
                        .description("A description of the authentication scheme."),
                    ro("specUri", T::Reference)
                        .reference_types(["external"])
                        .description("An HTTP-addressable URL pointing to the authentication scheme's specification."),
                    ro("documentationUri", T::Reference)
                        .reference_types(["external"])
                        .description("An HTTP-addressable URL pointing to the authentication scheme's usage documentation."),
                    ro("primary", T::Boolean)
                        .description("Whether this is the preferred authentication scheme."),
                ]),
        ],
    )
    .with_description("Schema for representing the service provider's configuration")
}

/// The ResourceType schema (RFC 7643 §6, §8.7.2).
pub fn resource_type_schema() -> Schema {
    Schema::new(
        RESOURCE_TYPE_SCHEMA,
        "ResourceType",
        vec![
            ro("id", T::String).description(
                "The resource type's server unique id.  May be the same as the 'name' attribute.",
            ),
            ro("name", T::String)
                .required()
                .description("The resource type name.  When applicable, service providers MUST specify the name, e.g., 'User'."),
            ro("description", T::String)
                .description("The resource type's human-readable description."),
            ro("endpoint", T::Reference)
                .required()
                .reference_types(["uri"])
                .description("The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'."),
            ro("schema", T::Reference)
                .required()
                .case_exact()
                .reference_types(["uri"])
                .description("The resource type's primary/base schema URI."),
            ro("schemaExtensions", T::Complex)
                .multi_valued()
                .required()
                .description("A list of URIs of the resource type's schema extensions.")
                .sub_attributes(vec![
                    ro("schema", T::Reference)
                        .required()
                        .case_exact()
                        .reference_types(["uri"])
                        .description("The URI of a schema extension."),
                    ro("required", T::Boolean)
                        .required()
                        .description("A Boolean value that specifies whether or not the schema extension is required for the resource type."),
                ]),
        ],
    )
    .with_description("Specifies the schema that describes a SCIM resource type")
}

/// The characteristics of an attribute definition, shared by `attributes` and
/// `subAttributes` of the Schema schema (RFC 7643 §7).
fn characteristics() -> Vec<A> {
    vec![
        ro("name", T::String)
            .required()
            .description("The attribute's name."),
        ro("type", T::String)
            .required()
            .canonical_values([
                "string", "complex", "boolean", "decimal", "integer", "dateTime", "reference",
                "binary",
            ])
            .description("The attribute's data type."),
        ro("multiValued", T::Boolean)
            .required()
            .description("A Boolean value indicating an attribute's plurality."),
        ro("description", T::String)
            .case_exact()
            .description("A human-readable description of the attribute."),
        ro("required", T::Boolean)
            .description("A boolean value indicating whether or not the attribute is required."),
        ro("canonicalValues", T::String)
            .multi_valued()
            .case_exact()
            .description("A collection of canonical values."),
        ro("caseExact", T::Boolean)
            .description("A Boolean value indicating whether or not a string attribute is case sensitive."),
        ro("mutability", T::String)
            .case_exact()
            .canonical_values(["readOnly", "readWrite", "immutable", "writeOnly"])
            .description("Indicates whether or not an attribute is modifiable."),
        ro("returned", T::String)
            .case_exact()
            .canonical_values(["always", "never", "default", "request"])
            .description("Indicates when an attribute is returned in a response (e.g., to a query)."),
        ro("uniqueness", T::String)
            .case_exact()
            .canonical_values(["none", "server", "global"])
            .description("Indicates how unique a value must be."),
        ro("referenceTypes", T::String)
            .multi_valued()
            .case_exact()
            .description("Used only with an attribute of type 'reference'.  Specifies a SCIM resourceType that a reference attribute MAY refer to, e.g., 'User'."),
    ]
}

/// The Schema schema (RFC 7643 §7, §8.7.2).
pub fn schema_schema() -> Schema {
    let mut attribute_subs = characteristics();
    attribute_subs.push(
        ro("subAttributes", T::Complex)
            .multi_valued()
            .description("Used to define the sub-attributes of a complex attribute.")
            .sub_attributes(characteristics()),
    );
    Schema::new(
        SCHEMA_SCHEMA,
        "Schema",
        vec![
            ro("id", T::String)
                .required()
                .returned(Returned::Default)
                .description("The unique URI of the schema."),
            ro("name", T::String)
                .required()
                .description("The schema's human-readable name."),
            ro("description", T::String).description("The schema's human-readable description."),
            ro("attributes", T::Complex)
                .multi_valued()
                .required()
                .description("A complex attribute that includes the attributes of a schema.")
                .sub_attributes(attribute_subs),
        ],
    )
    .with_description("Specifies the schema attribute structure for SCIM resources")
}

/// The three discovery schemas, in the order of RFC 7643 §8.7.2.
pub fn meta_schemas() -> Vec<Schema> {
    vec![
        service_provider_config_schema(),
        resource_type_schema(),
        schema_schema(),
    ]
}
