//! Image Builder recipes that build on another account's parent image or component
//! (`analysis::identity::recipe`), over hand-made `CreateImageRecipe` and `CreateContainerRecipe`
//! events whose requests and responses are written as the Image Builder API reference documents
//! them. Expected values are written down from how the events were built.

use trailscope::analysis::container::{Ask, ContainerAnswer, ContainerQuery};
use trailscope::analysis::filter::{Compiled, Filter};
use trailscope::analysis::identity::{report, Attention, AttentionKind, Severity};
use trailscope::engine::{Engine, Query, Response};

/// One Image Builder call of account 111111111111 in eu-west-1 by role session ci.
fn ev(n: u32, time: &str, name: &str, req: &str, resp: &str, error: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-06-01T{time}Z","eventSource":"imagebuilder.amazonaws.com","eventName":"{name}",
        "eventID":"00000000-0000-4000-c000-{n:012}","awsRegion":"eu-west-1","recipientAccountId":"111111111111",
        "sourceIPAddress":"203.0.113.20","userAgent":"aws-cli/2.15.0",{error}
        "userIdentity":{{"type":"AssumedRole","principalId":"AROACI:ci","arn":"arn:aws:sts::111111111111:assumed-role/ci/ci","accountId":"111111111111","accessKeyId":"ASIACI0000000000001"}},
        "requestParameters":{req},"responseElements":{resp}}}"#
    )
}

const AWS_PARENT: &str = "arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x";
const AWS_UPDATE: &str = "arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x";
const OWN: &str = "arn:aws:imagebuilder:eu-west-1:111111111111:component/hardening/1.0.0";
const ORG: &str = "arn:aws:imagebuilder:eu-west-1:222222222222:component/agent/2.0.0";
const STRANGER: &str = "arn:aws:imagebuilder:eu-west-1:999988887777:component/helper/1.0.0/1";
const STRANGER_BASE: &str = "999988887777.dkr.ecr.eu-west-1.amazonaws.com/base/python:3.12";

/// `CreateImageRecipe` of golden-al2023 `version` with these components.
fn image_recipe(n: u32, time: &str, version: &str, components: &[&str], error: &str) -> String {
    let components: Vec<String> = components.iter().map(|c| format!(r#"{{"componentArn":"{c}"}}"#)).collect();
    let req = format!(
        r#"{{"name":"golden-al2023","semanticVersion":"{version}","parentImage":"{AWS_PARENT}","components":[{}],"clientToken":"c{n}"}}"#,
        components.join(",")
    );
    let resp = if error.is_empty() {
        format!(
            r#"{{"requestId":"r{n}","clientToken":"c{n}","imageRecipeArn":"arn:aws:imagebuilder:eu-west-1:111111111111:image-recipe/golden-al2023/{version}"}}"#
        )
    } else {
        "null".to_owned()
    };
    ev(n, time, "CreateImageRecipe", &req, &resp, error)
}

/// Image Builder's own Dockerfile template, as a JSON string's inside: the parent image, then the
/// components.
const TEMPLATE: &str =
    r"FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}";
/// A Dockerfile that also copies from an image on GitHub's registry.
const PAYLOAD: &str = "ghcr.io/evil/payload:latest";
/// An ECR image of an account of these logs.
const ORG_TOOLS: &str = "222222222222.dkr.ecr.eu-west-1.amazonaws.com/tools/cli:2";

/// `CreateContainerRecipe` of `name` `version` on `parent` with AWS's update component; `dockerfile`
/// the request's `dockerfileTemplateData` or `dockerfileTemplateUri` field.
fn container_recipe(n: u32, time: &str, name_version: (&str, &str), parent: &str, dockerfile: &str) -> String {
    let (name, version) = name_version;
    let req = format!(
        r#"{{"containerType":"DOCKER","name":"{name}","semanticVersion":"{version}","parentImage":"{parent}",
        "components":[{{"componentArn":"{AWS_UPDATE}"}}],"targetRepository":{{"service":"ECR","repositoryName":"web/base"}},
        {dockerfile},"clientToken":"c{n}"}}"#
    );
    let resp = format!(
        r#"{{"requestId":"r{n}","clientToken":"c{n}","containerRecipeArn":"arn:aws:imagebuilder:eu-west-1:111111111111:container-recipe/{name}/{version}"}}"#
    );
    ev(n, time, "CreateContainerRecipe", &req, &resp, "")
}

fn engine() -> Engine {
    let data = |d: &str| format!(r#""dockerfileTemplateData":"{d}""#);
    let lines = [
        // An account of these logs: 222222222222.
        ev(90, "07:00:00", "ListImages", "{}", "null", "")
            .replace(r#""recipientAccountId":"111111111111""#, r#""recipientAccountId":"222222222222""#),
        // AWS's parent and component, and the account's own: nothing outside.
        image_recipe(1, "08:00:00", "1.0.0", &[AWS_UPDATE, OWN], ""),
        // Then a component of an account of these logs; then also one of a stranger's; then the same again.
        image_recipe(2, "09:00:00", "1.1.0", &[AWS_UPDATE, OWN, ORG], ""),
        image_recipe(3, "10:00:00", "1.2.0", &[AWS_UPDATE, OWN, ORG, STRANGER], ""),
        image_recipe(4, "11:00:00", "1.3.0", &[AWS_UPDATE, ORG, STRANGER], ""),
        // Refused: made nothing.
        image_recipe(5, "12:00:00", "1.4.0", &[STRANGER], r#""errorCode":"AccessDeniedException","#),
        // An AMI ID as parent, with the same components as before: names no account, nothing new.
        image_recipe(6, "12:30:00", "1.5.0", &[AWS_UPDATE, ORG, STRANGER], "")
            .replace(AWS_PARENT, "ami-0abcdef1234567890"),
        // A container recipe on a stranger's ECR image.
        container_recipe(9, "13:00:00", ("web-base", "1.0.0"), STRANGER_BASE, &data(TEMPLATE)),
        // Its next version's Dockerfile also copies from GitHub's registry: new to the recipe.
        container_recipe(
            10,
            "14:00:00",
            ("web-base", "1.1.0"),
            STRANGER_BASE,
            &data(&format!(r"{TEMPLATE}\nCOPY --from={PAYLOAD} /p /p")),
        ),
        // Then its Dockerfile starts from an image of an account of these logs instead.
        container_recipe(
            11,
            "15:00:00",
            ("web-base", "1.2.0"),
            STRANGER_BASE,
            &data(&format!(r"FROM {ORG_TOOLS}\nCOPY --from={PAYLOAD} /p /p")),
        ),
        // Docker Hub's image on a recipe's first version: commonplace; on its next, the same registry.
        container_recipe(12, "16:00:00", ("api", "1.0.0"), "python:3.12", &data(TEMPLATE)),
        container_recipe(13, "17:00:00", ("api", "1.1.0"), "docker.io/library/python:3.13", &data(TEMPLATE)),
        // A Dockerfile kept in S3: shown, not read.
        container_recipe(
            14,
            "18:00:00",
            ("api", "1.2.0"),
            "python:3.13",
            r#""dockerfileTemplateUri":"s3://build-bucket/api/Dockerfile""#,
        ),
    ];
    let mut e = Engine::new();
    e.ingest_bytes("imagebuilder.jsonl", lines.join("\n").as_bytes());
    e
}

fn items(e: &Engine) -> Vec<Attention> {
    let c = Compiled::new(&Filter::default(), e.store());
    let r = report(e.store(), c.rows());
    r.attention.rows.into_iter().filter(|a| a.kind == AttentionKind::RecipeFromOutside).collect()
}

#[test]
fn ok_a_recipe_building_on_another_accounts_component_or_image_is_an_item() {
    let e = engine();
    let items = items(&e);
    let mut titles: Vec<(&str, Severity)> = items.iter().map(|a| (a.title.as_str(), a.severity)).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            ("Recipe golden-al2023 builds on 222222222222's component", Severity::Medium),
            ("Recipe golden-al2023 builds on 999988887777's component", Severity::High),
            ("Recipe web-base builds on 222222222222's image", Severity::Medium),
            ("Recipe web-base builds on 999988887777's image", Severity::High),
            ("Recipe web-base builds on ghcr.io's image", Severity::Medium),
        ]
    );
    let why = |title: &str| items.iter().find(|a| a.title.contains(title)).map(|a| a.why.clone()).unwrap_or_default();
    let stranger = why("golden-al2023 builds on 999988887777");
    for part in [
        "CreateImageRecipe at 2026-06-01 10:00:00 UTC from 203.0.113.20 with AWS CLI made Image Builder recipe \
         golden-al2023 1.2.0 (111111111111, eu-west-1) that builds on component \
         arn:aws:imagebuilder:eu-west-1:999988887777:component/helper/1.0.0/1 (account 999988887777).",
        "Its earlier versions in these logs (1.0.0, 1.1.0) did not.",
        "No event of account 999988887777 is in these logs.",
    ] {
        assert!(stranger.contains(part), "{part}\n{stranger}");
    }
    let org = why("golden-al2023 builds on 222222222222");
    assert!(org.contains("golden-al2023 1.1.0") && !org.contains("No event of account"), "{org}");
    let web = why("web-base builds on 999988887777");
    assert!(web.contains(&format!("that builds on parent image {STRANGER_BASE} (account 999988887777).")), "{web}");
    assert!(web.contains("No earlier version of web-base is in these logs to compare with."), "{web}");
    let ghcr = why("web-base builds on ghcr.io");
    for part in [
        format!("recipe web-base 1.1.0 (111111111111, eu-west-1) that builds on Dockerfile image {PAYLOAD} (ghcr.io)."),
        "Its earlier versions in these logs (1.0.0) did not.".to_owned(),
        "Its Dockerfile names that image itself".to_owned(),
    ] {
        assert!(ghcr.contains(&part), "{part}\n{ghcr}");
    }
    let org = why("web-base builds on 222222222222");
    assert!(org.contains(&format!("web-base 1.2.0 (111111111111, eu-west-1) that builds on Dockerfile image {ORG_TOOLS} (account 222222222222).")), "{org}");
    let ci = "arn:aws:sts::111111111111:assumed-role/ci/ci";
    assert!(items.iter().all(|a| a.who == ci), "{items:#?}");
}

#[test]
fn ok_the_image_builder_list_says_what_a_recipe_builds_on() {
    let e = engine();
    let ask =
        Query::Container(Box::new(ContainerQuery { filter: Filter::default(), ask: Ask::ImageBuilder { offset: 0 } }));
    let Response::Container(answer) = e.query(&ask) else { panic!() };
    let ContainerAnswer::ImageBuilder(page) = *answer else { panic!() };
    let recipe = |call: &str, time_ends: &str| {
        page.items
            .iter()
            .find(|b| b.call == call && b.resource.ends_with(time_ends))
            .unwrap_or_else(|| panic!("{call}"))
    };
    let golden = recipe("CreateImageRecipe", "golden-al2023/1.2.0");
    assert_eq!(golden.parent, AWS_PARENT);
    assert_eq!(golden.components, [AWS_UPDATE, OWN, ORG, STRANGER]);
    let web = recipe("CreateContainerRecipe", "web-base/1.0.0");
    assert_eq!((web.parent.as_str(), web.components.as_slice()), (STRANGER_BASE, [AWS_UPDATE.to_owned()].as_slice()));
    assert_eq!(web.target_repository, "web/base");
    assert!(web.dockerfile_images.is_empty() && web.dockerfile_uri.is_empty(), "{web:?}");
    let next = recipe("CreateContainerRecipe", "web-base/1.2.0");
    assert_eq!(next.dockerfile_images, [ORG_TOOLS, PAYLOAD]);
    let api = recipe("CreateContainerRecipe", "api/1.2.0");
    assert_eq!((api.dockerfile_images.len(), api.dockerfile_uri.as_str()), (0, "s3://build-bucket/api/Dockerfile"));
}
