//! Where the container views are: a list, a repository's page or an image's page. Plain data, so
//! the page state stays pure and testable.

use serde::{Deserialize, Serialize};

use super::report::{ImageRef, Outcome, RepoRef};
use super::Index;
use crate::link::digest;
use crate::store::Store;

/// A page of the Images view.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Page {
    /// Repositories, most active first.
    #[default]
    Repositories,
    /// Pushes, newest first, those its switch keeps.
    Pushes(PushKeep),
    /// Pulls, newest first.
    Pulls(Option<Outcome>),
    /// Lifecycle runs and previews.
    Lifecycle,
    /// ECS task definitions, services and tasks.
    Ecs,
    /// EC2 Image Builder.
    Builder,
    /// Other services' writes that name ECR images.
    Uses,
    /// One repository.
    Repository(RepoRef),
    /// One image.
    Image(ImageRef),
}

impl Page {
    /// The lists, in the order of the sub-tabs.
    pub const LISTS: [Page; 7] = [
        Page::Repositories,
        Page::Pushes(PushKeep::All),
        Page::Pulls(None),
        Page::Lifecycle,
        Page::Ecs,
        Page::Uses,
        Page::Builder,
    ];

    /// The sub-tab's label.
    pub fn label(&self) -> &'static str {
        match self {
            Page::Repositories => "Repositories",
            Page::Pushes(_) => "Pushes",
            Page::Pulls(_) => "Pulls",
            Page::Lifecycle => "Lifecycle expiries",
            Page::Ecs => "ECS",
            Page::Builder => "Image Builder",
            Page::Uses => "Other services",
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
            Page::Uses => "uses",
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

/// Which pushes the pushes list keeps: the position of its switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum PushKeep {
    /// Every push, whatever its outcome.
    #[default]
    All,
    /// Those with this outcome.
    Outcome(Outcome),
    /// Those that moved their tag from another image (see [`super::Push::moved_from`]).
    MovedTag,
}

impl PushKeep {
    /// Every position, in the switch's order.
    pub const ALL: [PushKeep; 5] = [
        PushKeep::All,
        PushKeep::Outcome(Outcome::Ok),
        PushKeep::MovedTag,
        PushKeep::Outcome(Outcome::Failed),
        PushKeep::Outcome(Outcome::Incomplete),
    ];

    /// How a link and the switch's `data-testid` write it.
    pub fn slug(self) -> &'static str {
        match self {
            PushKeep::All => "all",
            PushKeep::Outcome(o) => outcome_slug(o),
            PushKeep::MovedTag => "moved",
        }
    }

    /// Whether it keeps push `p`.
    pub fn keeps(self, p: &super::Push) -> bool {
        match self {
            PushKeep::All => true,
            PushKeep::Outcome(o) => p.outcome == o,
            PushKeep::MovedTag => p.moved_from.is_some(),
        }
    }
}

/// How a link writes an outcome.
pub fn outcome_slug(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Failed => "failed",
        Outcome::Incomplete => "incomplete",
    }
}

/// The digest a link writes for an image (its repository's ARN and its digest).
fn image_digest(i: &ImageRef) -> String {
    digest(&format!("{}@{}", i.repo.arn(), i.digest))
}

impl Page {
    /// The page as a link writes it: a list by its slug (`pushes.failed` for one outcome,
    /// `pushes.moved` for the pushes that moved a tag); a
    /// repository or an image, which name resources from the logs, as `repository.` or `image.` and
    /// a digest (see [`crate::link`]).
    pub fn link_value(&self) -> String {
        match self {
            Page::Pulls(Some(o)) => format!("{}.{}", self.slug(), outcome_slug(*o)),
            Page::Pushes(keep) if *keep != PushKeep::All => format!("{}.{}", self.slug(), keep.slug()),
            Page::Repository(r) => format!("repository.{}", digest(&r.arn())),
            Page::Image(i) => format!("image.{}", image_digest(i)),
            _ => self.slug().to_owned(),
        }
    }

    /// The page a link's value names, looked up in `ix` for a repository or an image; `None` when
    /// the value names a repository or image not in these logs, or nothing known.
    pub fn from_link(value: &str, ix: &Index, store: &Store) -> Option<Page> {
        let (kind, rest) = value.split_once('.').unwrap_or((value, ""));
        let outcome =
            [Outcome::Ok, Outcome::Failed, Outcome::Incomplete].into_iter().find(|&o| outcome_slug(o) == rest);
        let repo_refs = || (0..ix.repos.len() as super::RepoId).map(|id| ix.repo_ref(store, id));
        match (kind, rest) {
            ("repositories", "") => Some(Page::Repositories),
            ("pushes", "") => Some(Page::Pushes(PushKeep::All)),
            ("pushes", _) => PushKeep::ALL.into_iter().find(|k| k.slug() == rest).map(Page::Pushes),
            ("pulls", _) if rest.is_empty() || outcome.is_some() => Some(Page::Pulls(outcome)),
            ("lifecycle", "") => Some(Page::Lifecycle),
            ("ecs", "") => Some(Page::Ecs),
            ("builder", "") => Some(Page::Builder),
            ("uses", "") => Some(Page::Uses),
            ("repository", want) => repo_refs().find(|r| digest(&r.arn()) == want).map(Page::Repository),
            ("image", want) => {
                // Every image the index names: pushed, pulled or expired.
                let pushed = ix.pushes.iter().map(|p| (p.repo, p.digest));
                let pulled = ix.pulls.iter().flat_map(|p| p.resolved.iter().map(move |&d| (p.repo, d)));
                let expired = ix.runs.iter().flat_map(|r| r.images.iter().map(move |i| (r.repo, i.digest)));
                let refs: Vec<RepoRef> = repo_refs().collect();
                // An image is pushed, pulled and expired many times: each hashed once.
                let mut seen = hashbrown::HashSet::new();
                pushed
                    .chain(pulled)
                    .chain(expired)
                    .filter(|&(repo, d)| !d.is_empty() && seen.insert((repo, d)))
                    .map(|(repo, d)| ImageRef { repo: refs[repo as usize].clone(), digest: store.str(d).into_owned() })
                    .find(|i| image_digest(i) == want)
                    .map(Page::Image)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_detail_pages_sit_under_repositories() {
        let r = RepoRef { registry: "1".into(), region: "us-east-1".into(), name: "a".into(), public: false };
        let i = Page::Image(ImageRef { repo: r.clone(), digest: "sha256:x".into() });
        assert!(i.under(&Page::Repositories));
        assert!(Page::Repository(r.clone()).under(&Page::Repositories));
        assert!(Page::Pushes(PushKeep::Outcome(Outcome::Failed)).under(&Page::Pushes(PushKeep::All)));
        assert!(Page::Pushes(PushKeep::MovedTag).under(&Page::Pushes(PushKeep::All)));
        assert!(!Page::Pulls(None).under(&Page::Pushes(PushKeep::All)));
        assert_eq!(i.repo(), Some(&r));
    }
}
