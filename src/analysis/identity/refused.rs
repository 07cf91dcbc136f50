//! *Role refused to web identities*: `AssumeRoleWithWebIdentity` calls refused, among the rows
//! looked at, one item per role. A workflow of a repository the role's trust does not name, or
//! someone trying roles to find one that trusts every workflow of a public provider (see
//! [`crate::facts::iam::Act::Trust`]), leaves these; the subject the token carried (the
//! repository) is in each. Medium; high when one of those subjects then took the role on.

use hashbrown::HashMap;

use super::attention::{joined, list, seconds, when, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::credentials::StsCall;
use crate::model::Sym;
use crate::store::Row;
use crate::text::{plural, utc};

/// Subjects named in one item; more are counted.
const MAX_SUBJECTS: usize = 5;

/// One item per role asked for by the refused calls among the rows looked at.
pub(super) fn refused(g: &Gathered, out: &mut Vec<Attention>) {
    if g.web_refused.is_empty() {
        return;
    }
    let store = g.store;
    let role_of: HashMap<Row, Sym> = store.credentials.refused().iter().copied().collect();
    let mut by_role: HashMap<(Sym, Sym), Vec<Row>> = HashMap::new();
    for &(_, r) in &g.web_refused {
        let role = role_of.get(&r).copied().unwrap_or(Sym::EMPTY);
        by_role.entry((store.account(r), role)).or_default().push(r);
    }
    for ((_, role), mut rows) in by_role {
        rows.sort_by_key(|&r| (store.time(r), r));
        out.push(item(g, role, &rows));
    }
}

/// Who a refused call's token named: the subject (`userName` of a `WebIdentityUser`), else the
/// principal as the tables name it.
fn subject(g: &Gathered, r: Row) -> String {
    let id = g.store.identity(r);
    let name = g.str(id.user_name);
    if name.is_empty() {
        principal_label(&id, &g.store.strings)
    } else {
        name.into_owned()
    }
}

/// The item of the refused calls `rows` (in time order) for role `role`.
fn item(g: &Gathered, role: Sym, rows: &[Row]) -> Attention {
    let store = g.store;
    let (first, last) = (store.time(rows[0]), store.time(rows[rows.len() - 1]));
    let mut by: HashMap<String, (usize, Vec<String>)> = HashMap::new();
    for &r in rows {
        let e = by.entry(subject(g, r)).or_default();
        e.0 += 1;
        let ip = g.str(store.ip(r)).into_owned();
        if !e.1.contains(&ip) {
            e.1.push(ip);
        }
    }
    let mut subjects: Vec<(String, (usize, Vec<String>))> = by.into_iter().collect();
    subjects.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
    let told: Vec<String> = subjects
        .iter()
        .take(MAX_SUBJECTS)
        .map(|(s, (n, ips))| {
            let mut ips = ips.clone();
            ips.sort_unstable();
            format!("{s} ({}, from {})", plural(*n as u64, "time", "times"), list(&ips))
        })
        .collect();
    let more = subjects.len().saturating_sub(MAX_SUBJECTS);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    let role_text = g.str(role);
    let role_name = role_text.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("(not named)");
    // A subject refused, then let in: the trust was widened to it, or it found a way.
    let refused_subjects: Vec<&str> = subjects.iter().map(|(s, _)| s.as_str()).collect();
    let later = store.credentials.grants().iter().find(|gr| {
        gr.call == StsCall::AssumeRoleWithWebIdentity
            && gr.role == role
            && !role.is_empty()
            && store.time(gr.row) >= first
            && refused_subjects.contains(&&*g.str(gr.subject))
    });
    let (severity, then) = match later {
        Some(gr) => (
            Severity::High,
            format!(
                " Then {} took the role on at {} (AssumeRoleWithWebIdentity from {}).",
                g.str(gr.subject),
                utc(store.time(gr.row)),
                g.str(store.ip(gr.row))
            ),
        ),
        None => (Severity::Medium, " None of them takes the role on in these logs.".to_owned()),
    };
    let n = rows.len() as u64;
    let code = g.str(store.error_code(rows[rows.len() - 1]));
    let why = format!(
        "{} {} ({code}) for role {}: {}{more}.{then} A token the role's trust does not accept: a workflow of a \
         repository it does not name, or someone trying roles for one that trusts every workflow.",
        plural(n, "AssumeRoleWithWebIdentity call refused", "AssumeRoleWithWebIdentity calls refused"),
        when(first, last),
        if role_text.is_empty() { "(not named)" } else { &role_text },
        joined(&told, "; ")
    );
    let who = subjects[0].0.clone();
    let chips = vec![(Field::Name, "AssumeRoleWithWebIdentity".to_owned()), (Field::Errors, "only".to_owned())];
    Attention {
        kind: AttentionKind::RoleRefused,
        severity,
        title: format!(
            "Role {role_name} refused to {}",
            plural(subjects.len() as u64, "web identity", "web identities")
        ),
        who,
        why,
        events: n,
        first,
        last: later.map_or(last, |gr| store.time(gr.row).max(last)),
        chips,
        range: Some(seconds(first, last)),
    }
}
