//! Partner commute alerts: a partner in the partner pool hears of jobs in every sector whose town lies within
//! `PARTNER_COMMUTE_KM` (great-circle) of the town of an employer that recruited their talent.
//!
//! The matcher asks this module, beside the percolator, which alerts a batch of visible jobs meets. Pool
//! membership is computed, not stored, so the alert rows are made here, the first time a job is near enough for a
//! member who has not opted out. A job or employer whose town the place list ([`crate::places`]) does not know
//! has no position, so it is never matched by distance: guessing could mail a partner about a job 300 km away.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::matcher::AlertMatch;
use super::model::{Commute, Frequency};
use super::store;
use super::AlertError;
use crate::jobs::model::JobView;
use crate::places::{Place, Places};

/// A pool member and the site of an employer that recruited their talent.
#[derive(Clone, Debug)]
pub struct Origin {
    pub seeker_id: Uuid,
    pub employer: String,
    pub place: &'static Place,
}

/// The pool members who want commute alerts, each with every recruiting employer the place list can locate.
pub async fn origins(conn: &mut AsyncPgConnection) -> Result<Vec<Origin>, AlertError> {
    let places = Places::get();
    let rows = crate::partners::commute_origins(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let place = places.find(&row.location.city, &row.location.country)?;
            Some(Origin { seeker_id: row.seeker_id, employer: row.organization_name, place })
        })
        .collect())
}

/// For each member with an employer within `radius_km` of `job_place`, why: the nearest such employer.
pub fn near(origins: &[Origin], job_place: &Place, radius_km: f64) -> HashMap<Uuid, Commute> {
    let mut nearest: HashMap<Uuid, Commute> = HashMap::new();
    for origin in origins {
        let distance_km = origin.place.distance_km(job_place);
        if distance_km > radius_km || nearest.get(&origin.seeker_id).is_some_and(|c| c.distance_km <= distance_km) {
            continue;
        }
        let commute =
            Commute { employer: origin.employer.clone(), city: origin.place.name.clone(), distance_km, radius_km };
        nearest.insert(origin.seeker_id, commute);
    }
    nearest
}

/// The partner commute alerts each of `jobs` (visible ones) meets, by job id.
pub async fn match_jobs(
    conn: &mut AsyncPgConnection,
    jobs: &[&JobView],
    radius_km: f64,
) -> Result<HashMap<Uuid, Vec<AlertMatch>>, AlertError> {
    let places = Places::get();
    let located: Vec<(&JobView, &Place)> = jobs
        .iter()
        .filter_map(|job| places.find(&job.location.city, &job.location.country).map(|p| (*job, p)))
        .collect();
    if located.is_empty() {
        return Ok(HashMap::new());
    }
    let origins = origins(conn).await?;
    if origins.is_empty() {
        return Ok(HashMap::new());
    }
    let near_by_job: Vec<(Uuid, HashMap<Uuid, Commute>)> =
        located.iter().map(|(job, place)| (job.id, near(&origins, place, radius_km))).collect();
    let mut members: Vec<Uuid> = near_by_job.iter().flat_map(|(_, near)| near.keys().copied()).collect();
    members.sort();
    members.dedup();
    // Read again just before the alerts are made: a member may have opted out since the origins were read.
    let opted_out = crate::partners::partner_alert_opt_outs_among(conn, &members).await?;
    let wanting: Vec<Uuid> = members.iter().filter(|m| !opted_out.contains(m)).copied().collect();
    store::ensure_partner_alerts(conn, &wanting).await?;
    let subscriptions: HashMap<Uuid, store::Subscription> =
        store::partner_subscriptions(conn, &members).await?.into_iter().map(|s| (s.alert.seeker_id, s)).collect();
    let mut matches: HashMap<Uuid, Vec<AlertMatch>> = HashMap::new();
    for (job_id, near) in near_by_job {
        for (seeker_id, commute) in near {
            // No subscription: the member opted out since the origins were read.
            let Some(subscription) = subscriptions.get(&seeker_id) else { continue };
            let frequency = Frequency::parse(&subscription.alert.frequency).unwrap_or(Frequency::Daily);
            matches.entry(job_id).or_default().push(AlertMatch {
                alert_id: subscription.alert.id,
                frequency,
                matched_skills: Vec::new(),
                commute: Some(commute),
            });
        }
    }
    Ok(matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(name: &str) -> &'static Place {
        Places::get().find(name, "SE").expect(name)
    }

    fn origin(seeker_id: Uuid, employer: &str, town: &str) -> Origin {
        Origin { seeker_id, employer: employer.to_owned(), place: at(town) }
    }

    #[test]
    fn members_are_matched_by_their_nearest_employer_within_the_radius() {
        let (kim, lo) = (Uuid::new_v4(), Uuid::new_v4());
        let origins = [
            origin(kim, "Far AB", "Skövde"),
            origin(kim, "CellCure AB", "Göteborg"),
            origin(kim, "Near AB", "Mölndal"),
            origin(lo, "Stock AB", "Stockholm"),
        ];
        let found = near(&origins, at("Kungsbacka"), 50.0);
        assert_eq!(found.len(), 1, "Stockholm is far from Kungsbacka");
        let why = &found[&kim];
        assert_eq!((why.employer.as_str(), why.city.as_str()), ("Near AB", "Mölndal"));
        assert!((why.distance_km - at("Mölndal").distance_km(at("Kungsbacka"))).abs() < 1e-9);
        assert!(near(&origins, at("Kungsbacka"), 10.0).is_empty());
    }

    #[test]
    fn the_explanation_names_the_radius_the_employer_and_its_town() {
        let why =
            Commute { employer: "CellCure AB".into(), city: "Göteborg".into(), distance_km: 12.4, radius_km: 50.0 };
        assert_eq!(why.explanation(), "Within 50 km of CellCure AB's site in Göteborg: about 12 km away");
        let here = Commute { distance_km: 0.2, ..why };
        assert_eq!(here.explanation(), "Within 50 km of CellCure AB's site in Göteborg: less than 1 km away");
    }
}
