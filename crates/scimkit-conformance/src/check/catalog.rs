//! The checks as data: id, suite, title, dependencies, citation, whether
//! the check creates resources, the features it needs, and its function.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;

use super::cx::{Cx, Feature};
use super::report::Failure;
use super::{Suite, discovery, entra, okta, rfc};

/// The future of one check.
pub(crate) type CheckFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Failure>> + 'a>>;

/// One check, as data.
#[derive(Clone, Copy)]
pub struct CheckInfo {
    pub(crate) id: &'static str,
    pub(crate) suite: Suite,
    pub(crate) title: &'static str,
    pub(crate) depends_on: &'static [&'static str],
    pub(crate) cites: &'static str,
    pub(crate) creates: bool,
    pub(crate) needs: &'static [Feature],
    pub(crate) run: for<'a> fn(&'a Cx) -> CheckFuture<'a>,
}

impl CheckInfo {
    /// The id, `<suite>.<area>.<what>` (`rfc.users.create`); stable.
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// What the check holds the endpoint to, in one line.
    pub fn title(&self) -> &'static str {
        self.title
    }

    /// The checks that must pass first; when one does not, this one is
    /// skipped.
    pub fn depends_on(&self) -> &'static [&'static str] {
        self.depends_on
    }

    /// The RFC section or IdP document the check follows.
    pub fn cites(&self) -> &'static str {
        self.cites
    }

    /// Whether the check creates users or groups (so `read_only` skips it).
    pub fn creates(&self) -> bool {
        self.creates
    }

    /// The `/ServiceProviderConfig` features the check needs
    /// (`patch`, `bulk`, `filter`, `sort`, `etag`); when one is not
    /// advertised, the check is skipped. Needing one implies depending on
    /// `discovery.spc`.
    pub fn needs(&self) -> Vec<&'static str> {
        self.needs.iter().map(|f| f.member()).collect()
    }

    pub(crate) fn features(&self) -> &'static [Feature] {
        self.needs
    }
}

impl fmt::Debug for CheckInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckInfo")
            .field("id", &self.id)
            .field("suite", &self.suite)
            .field("depends_on", &self.depends_on)
            .field("creates", &self.creates)
            .finish_non_exhaustive()
    }
}

/// Every check, in the order a run runs them (each after what it depends on).
pub fn catalog() -> &'static [CheckInfo] {
    static CATALOG: LazyLock<Vec<CheckInfo>> =
        LazyLock::new(|| [discovery::CHECKS, rfc::CHECKS, entra::CHECKS, okta::CHECKS].concat());
    &CATALOG
}
