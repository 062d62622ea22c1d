//! The alert email: one mail per alert listing its new jobs, rendered from the `alert` templates, with the
//! one-click unsubscribe headers of RFC 8058.

use serde::Serialize;
use uuid::Uuid;

use super::model::{AlertKind, AlertQuery, AlertSkill, Commute, Frequency};
use super::token;
use crate::jobs::model::JobView;
use crate::mail::render::{render, RenderError};
use crate::mail::{MailKind, NewMail};

/// Builds alert mails: knows the public base of links and the key unsubscribe tokens are signed with.
#[derive(Clone)]
pub struct AlertMailer {
    base_url: String,
    secret: Vec<u8>,
}

/// Who gets an alert's mail, and about which alert.
pub struct Recipient<'a> {
    pub alert_id: Uuid,
    pub alert_name: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub frequency: Frequency,
    pub query: Option<&'a AlertQuery>,
    pub kind: AlertKind,
}

/// One job in a mail, with why it matched.
pub struct Listed<'a> {
    pub job: &'a JobView,
    pub matched_skills: &'a [AlertSkill],
    /// For a partner commute alert: how near the job is to the talent's employer.
    pub commute: Option<&'a Commute>,
}

#[derive(Serialize)]
struct JobContext<'a> {
    title: &'a str,
    organization: &'a str,
    city: &'a str,
    country: &'a str,
    remote: &'a str,
    matched_skills: Vec<&'a str>,
    commute: Option<String>,
    url: String,
}

#[derive(Serialize)]
struct AlertContext<'a> {
    name: &'a str,
    kind: &'a str,
    frequency: &'a str,
    q: Option<&'a str>,
}

#[derive(Serialize)]
struct MailContext<'a> {
    name: &'a str,
    alert: AlertContext<'a>,
    jobs: Vec<JobContext<'a>>,
    /// New jobs all told: those listed and `more`.
    total: usize,
    /// New jobs not listed, behind `more_url`.
    more: usize,
    more_url: String,
    manage_url: String,
    unsubscribe_url: String,
}

impl AlertMailer {
    /// `base_url` is `PUBLIC_BASE_URL`; `secret` the deployment's unsubscribe key (`Secrets::unsubscribe_key`).
    pub fn new(base_url: &str, secret: &[u8]) -> Self {
        Self { base_url: base_url.trim_end_matches('/').to_owned(), secret: secret.to_vec() }
    }

    /// The link that unsubscribes from the alert, with no sign-in.
    pub fn unsubscribe_url(&self, alert_id: Uuid) -> String {
        format!("{}/api/v1/alerts/unsubscribe?token={}", self.base_url, token::sign(&self.secret, alert_id))
    }

    /// The mail telling `to` about `jobs` (at least one).
    pub fn mail(&self, to: &Recipient<'_>, jobs: &[Listed<'_>]) -> Result<NewMail, RenderError> {
        self.mail_with_more(to, jobs, 0)
    }

    /// Where the seeker finds every job the alert matched (`GET /api/v1/me/alerts/{id}/jobs`).
    pub fn jobs_url(&self, alert_id: Uuid) -> String {
        format!("{}/api/v1/me/alerts/{alert_id}/jobs", self.base_url)
    }

    /// The mail telling `to` about `jobs` (at least one) and that `more` new jobs are behind a link.
    pub fn mail_with_more(&self, to: &Recipient<'_>, jobs: &[Listed<'_>], more: usize) -> Result<NewMail, RenderError> {
        let unsubscribe_url = self.unsubscribe_url(to.alert_id);
        let context = MailContext {
            name: to.display_name,
            alert: AlertContext {
                name: to.alert_name,
                kind: to.kind.as_str(),
                frequency: to.frequency.as_str(),
                q: to.query.and_then(|q| q.q.as_deref()),
            },
            jobs: jobs.iter().map(|listed| self.job_context(listed)).collect(),
            total: jobs.len() + more,
            more,
            more_url: self.jobs_url(to.alert_id),
            manage_url: format!("{}/api/v1/me/alerts", self.base_url),
            unsubscribe_url: unsubscribe_url.clone(),
        };
        let content = render("alert", &context)?;
        Ok(NewMail::new(MailKind::Alert, to.email, content)
            .with_header("List-Unsubscribe", format!("<{unsubscribe_url}>"))
            .with_header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
            .with_ref(to.alert_id))
    }

    fn job_context<'a>(&self, listed: &Listed<'a>) -> JobContext<'a> {
        let job = listed.job;
        JobContext {
            title: &job.title,
            organization: &job.organization.name,
            city: &job.location.city,
            country: &job.location.country,
            remote: job.remote.as_str(),
            matched_skills: listed.matched_skills.iter().map(|s| s.name.as_str()).collect(),
            commute: listed.commute.map(Commute::explanation),
            url: format!("{}/api/v1/jobs/{}", self.base_url, job.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::jobs::model::{JobOrganization, JobStatus, Remote};
    use crate::vocab::Place;

    fn job(title: &str, remote: Remote) -> JobView {
        let org = Uuid::new_v4();
        JobView {
            id: Uuid::nil(),
            organization_id: org,
            organization: JobOrganization { id: org, name: "Västra <Pharma>".to_owned() },
            title: title.to_owned(),
            description: "d".to_owned(),
            skills: Vec::new(),
            location: Place { city: "Göteborg".to_owned(), country: "SE".to_owned() },
            remote,
            employment_type: "permanent".to_owned(),
            sector: "pharma".to_owned(),
            languages: Vec::new(),
            apply_url: None,
            closes_at: None,
            status: JobStatus::Published,
            published_at: Some(Utc::now()),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            source: None,
            also_at: Vec::new(),
        }
    }

    fn recipient(frequency: Frequency, query: Option<&AlertQuery>) -> Recipient<'_> {
        Recipient {
            alert_id: Uuid::nil(),
            alert_name: "Cell work",
            email: "ada@example.org",
            display_name: "Ada",
            frequency,
            query,
            kind: AlertKind::Search,
        }
    }

    #[test]
    fn one_job_instantly_with_its_matched_skills_and_the_unsubscribe_headers() {
        let mailer = AlertMailer::new("https://tandem.example/", b"key");
        let skills = [AlertSkill { skill_id: "ls-cell-culture".to_owned(), name: "cell culture".to_owned() }];
        let job = job("Cell scientist", Remote::Hybrid);
        let mail = mailer
            .mail(&recipient(Frequency::Instant, None), &[Listed { job: &job, matched_skills: &skills, commute: None }])
            .expect("renders");
        assert_eq!(mail.content.subject, "Cell scientist at Västra <Pharma>: new for \"Cell work\"");
        let text = &mail.content.text;
        assert!(text.contains("* Cell scientist\n  Västra <Pharma>, Göteborg, SE (hybrid)\n"), "{text}");
        assert!(text.contains("  Matched skills: cell culture\n"), "{text}");
        assert!(text.contains("  https://tandem.example/api/v1/jobs/00000000-0000-0000-0000-000000000000\n"), "{text}");
        assert!(text.contains("Manage your alerts: https://tandem.example/api/v1/me/alerts\n"), "{text}");
        let unsubscribe = mailer.unsubscribe_url(Uuid::nil());
        assert!(text.contains(&format!("Unsubscribe from this alert: {unsubscribe}")), "{text}");
        assert!(mail.content.html.contains("Västra &lt;Pharma&gt;, Göteborg, SE (hybrid)"), "{}", mail.content.html);
        assert!(mail.content.html.contains("Matched skills: cell culture"));
        assert_eq!(mail.headers.get("List-Unsubscribe"), Some(&format!("<{unsubscribe}>")));
        assert_eq!(mail.headers.get("List-Unsubscribe-Post").map(String::as_str), Some("List-Unsubscribe=One-Click"));
        assert_eq!(mail.kind, MailKind::Alert);
        assert_eq!(mail.ref_id, Some(Uuid::nil()));
        assert!(unsubscribe.starts_with("https://tandem.example/api/v1/alerts/unsubscribe?token="));
    }

    #[test]
    fn a_digest_lists_every_job_and_says_why_without_skills() {
        let mailer = AlertMailer::new("https://tandem.example", b"key");
        let query = AlertQuery { q: Some("cell therapy".to_owned()), ..Default::default() };
        let (a, b) = (job("First", Remote::Full), job("Second", Remote::No));
        let jobs = [
            Listed { job: &a, matched_skills: &[], commute: None },
            Listed { job: &b, matched_skills: &[], commute: None },
        ];
        let mail = mailer.mail(&recipient(Frequency::Daily, Some(&query)), &jobs).expect("renders");
        assert_eq!(mail.content.subject, "2 new jobs for \"Cell work\"");
        let text = &mail.content.text;
        assert!(text.contains("Your daily digest for the alert \"Cell work\": 2 new jobs."), "{text}");
        assert!(text.contains("* First\n  Västra <Pharma>, Göteborg, SE (fully remote)\n"), "{text}");
        assert!(text.contains("* Second\n  Västra <Pharma>, Göteborg, SE\n"), "{text}");
        assert!(text.contains("  Matches \"cell therapy\"\n"), "{text}");
        assert!(!text.contains("more"), "{text}");
    }

    #[test]
    fn a_digest_with_more_jobs_than_it_lists_counts_them_all_and_links_to_the_rest() {
        let mailer = AlertMailer::new("https://tandem.example", b"key");
        let a = job("First", Remote::Full);
        let jobs = [Listed { job: &a, matched_skills: &[], commute: None }];
        let mail = mailer.mail_with_more(&recipient(Frequency::Weekly, None), &jobs, 37).expect("renders");
        assert_eq!(mail.content.subject, "38 new jobs for \"Cell work\"");
        let link = "https://tandem.example/api/v1/me/alerts/00000000-0000-0000-0000-000000000000/jobs";
        let text = &mail.content.text;
        assert!(text.contains("Your weekly digest for the alert \"Cell work\": 38 new jobs."), "{text}");
        assert!(text.contains(&format!("... and 37 more: {link}")), "{text}");
        // minijinja escapes `/` in HTML.
        let html = mail.content.html.replace("&#x2f;", "/");
        assert!(html.contains(&format!("<a href=\"{link}\"")) && html.contains("and 37 more"), "{html}");
    }
}
