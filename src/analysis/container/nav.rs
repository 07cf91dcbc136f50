//! Where the container views are: a list, a repository's page or an image's page. Plain data, so
//! the page state stays pure and testable.

use super::report::{ImageRef, Outcome, RepoRef};

/// A page of the Images view.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Page {
    /// Repositories, most active first.
    #[default]
    Repositories,
    /// Pushes, newest first (`Some`: only those with that outcome).
    Pushes(Option<Outcome>),
    /// Pulls, newest first.
    Pulls(Option<Outcome>),
    /// Lifecycle runs and previews.
    Lifecycle,
    /// ECS task definitions, services and tasks.
    Ecs,
    /// EC2 Image Builder.
    Builder,
    /// One repository.
    Repository(RepoRef),
    /// One image.
    Image(ImageRef),
}

impl Page {
    /// The lists, in the order of the sub-tabs.
    pub const LISTS: [Page; 6] =
        [Page::Repositories, Page::Pushes(None), Page::Pulls(None), Page::Lifecycle, Page::Ecs, Page::Builder];

    /// The sub-tab's label.
    pub fn label(&self) -> &'static str {
        match self {
            Page::Repositories => "Repositories",
            Page::Pushes(_) => "Pushes",
            Page::Pulls(_) => "Pulls",
            Page::Lifecycle => "Lifecycle expiries",
            Page::Ecs => "ECS",
            Page::Builder => "Image Builder",
            Page::Repository(_) => "Repository",
            Page::Image(_) => "Image",
        }
    }

    /// A stable name for `data-testid`.
    pub fn slug(&self) -> &'static str {
        match self {
            Page::Repositories => "repositories",
            Page::Pushes(_) => "pushes",
            Page::Pulls(_) => "pulls",
            Page::Lifecycle => "lifecycle",
            Page::Ecs => "ecs",
            Page::Builder => "builder",
            Page::Repository(_) => "repository",
            Page::Image(_) => "image",
        }
    }

    /// Whether this page belongs under sub-tab `tab` (a repository's and an image's pages belong to
    /// the repositories).
    pub fn under(&self, tab: &Page) -> bool {
        match (self, tab) {
            (Page::Repository(_) | Page::Image(_), Page::Repositories) => true,
            _ => std::mem::discriminant(self) == std::mem::discriminant(tab),
        }
    }

    /// The repository a detail page is about.
    pub fn repo(&self) -> Option<&RepoRef> {
        match self {
            Page::Repository(r) => Some(r),
            Page::Image(i) => Some(&i.repo),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_detail_pages_sit_under_repositories() {
        let r = RepoRef { registry: "1".into(), region: "us-east-1".into(), name: "a".into() };
        let i = Page::Image(ImageRef { repo: r.clone(), digest: "sha256:x".into() });
        assert!(i.under(&Page::Repositories));
        assert!(Page::Repository(r.clone()).under(&Page::Repositories));
        assert!(Page::Pushes(Some(Outcome::Failed)).under(&Page::Pushes(None)));
        assert!(!Page::Pulls(None).under(&Page::Pushes(None)));
        assert_eq!(i.repo(), Some(&r));
    }
}
