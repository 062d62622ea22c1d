// The diesel table definitions; they mirror `migrations/` column for column.

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Int8,
        email -> Text,
        client_addr -> Text,
        failed_at -> Timestamptz,
    }
}

diesel::table! {
    skills (id) {
        id -> Text,
        source -> Text,
        label_en -> Nullable<Text>,
        label_sv -> Nullable<Text>,
        area -> Nullable<Text>,
        description -> Nullable<Text>,
    }
}

diesel::table! {
    skill_labels (id) {
        id -> Int8,
        skill_id -> Text,
        label -> Text,
        normalized -> Text,
        lang -> Text,
        preferred -> Bool,
    }
}

diesel::table! {
    seeker_profiles (user_id) {
        user_id -> Uuid,
        candidate_id -> Uuid,
        full_name -> Text,
        headline -> Text,
        summary -> Text,
        city -> Text,
        country -> Text,
        work_permit -> Text,
        available_from -> Nullable<Date>,
        open_to_sectors -> Array<Text>,
        searchable -> Bool,
        in_partner_pool -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    profile_skills (seeker_id, position) {
        seeker_id -> Uuid,
        position -> Int4,
        skill_id -> Nullable<Text>,
        name -> Text,
        level -> Nullable<Int2>,
        years -> Nullable<Float4>,
    }
}

diesel::table! {
    profile_languages (seeker_id, code) {
        seeker_id -> Uuid,
        code -> Text,
        level -> Text,
    }
}

diesel::table! {
    profile_experience (seeker_id, position) {
        seeker_id -> Uuid,
        position -> Int4,
        title -> Text,
        organization -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        description -> Nullable<Text>,
    }
}

diesel::table! {
    profile_education (seeker_id, position) {
        seeker_id -> Uuid,
        position -> Int4,
        degree -> Text,
        field -> Text,
        institution -> Text,
        year -> Nullable<Int4>,
    }
}

diesel::table! {
    profile_desired_locations (seeker_id, position) {
        seeker_id -> Uuid,
        position -> Int4,
        city -> Nullable<Text>,
        region -> Nullable<Text>,
        country -> Text,
    }
}

diesel::table! {
    organizations (id) {
        id -> Uuid,
        name -> Text,
        org_number -> Nullable<Text>,
        sector -> Text,
        website -> Nullable<Text>,
        description -> Nullable<Text>,
        city -> Text,
        country -> Text,
        network_member_since -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        claimed -> Bool,
        org_number_key -> Nullable<Text>,
        name_key -> Nullable<Text>,
    }
}

diesel::table! {
    organization_claims (id) {
        id -> Uuid,
        organization_id -> Uuid,
        requested_by -> Uuid,
        requested_at -> Timestamptz,
        status -> Text,
        decided_at -> Nullable<Timestamptz>,
        decided_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    memberships (organization_id, user_id) {
        organization_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        contact_point -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    network_requests (id) {
        id -> Uuid,
        organization_id -> Uuid,
        requested_by -> Nullable<Uuid>,
        requested_at -> Timestamptz,
        approved_at -> Nullable<Timestamptz>,
        approved_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    jobs (id) {
        id -> Uuid,
        organization_id -> Uuid,
        title -> Text,
        description -> Text,
        city -> Text,
        country -> Text,
        remote -> Text,
        employment_type -> Text,
        sector -> Text,
        apply_url -> Nullable<Text>,
        closes_at -> Nullable<Timestamptz>,
        status -> Text,
        published_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        source -> Text,
        external_id -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    job_skills (job_id, position) {
        job_id -> Uuid,
        position -> Int4,
        skill_id -> Nullable<Text>,
        name -> Text,
        required -> Bool,
        found -> Nullable<Text>,
        snippet -> Nullable<Text>,
    }
}

diesel::table! {
    job_languages (job_id, code) {
        job_id -> Uuid,
        code -> Text,
        level -> Nullable<Text>,
    }
}

diesel::table! {
    profile_views (id) {
        id -> Uuid,
        seeker_id -> Uuid,
        viewer_id -> Nullable<Uuid>,
        organization_id -> Nullable<Uuid>,
        organization_name -> Text,
        viewed_at -> Timestamptz,
    }
}

diesel::table! {
    index_outbox (seq) {
        seq -> Int8,
        entity -> Text,
        entity_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(skill_labels -> skills (skill_id));
diesel::joinable!(seeker_profiles -> users (user_id));
diesel::joinable!(profile_skills -> seeker_profiles (seeker_id));
diesel::joinable!(profile_languages -> seeker_profiles (seeker_id));
diesel::joinable!(profile_experience -> seeker_profiles (seeker_id));
diesel::joinable!(profile_education -> seeker_profiles (seeker_id));
diesel::joinable!(profile_desired_locations -> seeker_profiles (seeker_id));
diesel::joinable!(memberships -> organizations (organization_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(network_requests -> organizations (organization_id));
diesel::joinable!(organization_claims -> organizations (organization_id));
diesel::joinable!(jobs -> organizations (organization_id));
diesel::joinable!(job_skills -> jobs (job_id));
diesel::joinable!(job_languages -> jobs (job_id));
diesel::joinable!(profile_views -> seeker_profiles (seeker_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    refresh_tokens,
    login_failures,
    skills,
    skill_labels,
    seeker_profiles,
    profile_skills,
    profile_languages,
    profile_experience,
    profile_education,
    profile_desired_locations,
    organizations,
    memberships,
    network_requests,
    organization_claims,
    jobs,
    job_skills,
    job_languages,
    profile_views,
    index_outbox,
    mail_outbox,
    mail_bounces,
    jobtech_concepts,
    skill_links,
    alerts,
    alert_matches,
    outbox_cursors,
    alert_digest_runs,
    partner_invitations,
    partner_links,
    recruitments,
    referrals,
    referral_opt_outs,
    partner_alert_opt_outs,
);

diesel::table! {
    jobtech_concepts (concept_id) {
        concept_id -> Text,
        #[sql_name = "type"]
        concept_type -> Text,
        label -> Text,
        legacy_ams_taxonomy_id -> Nullable<Text>,
    }
}

diesel::table! {
    skill_links (skill_id, linked_skill_id) {
        skill_id -> Text,
        linked_skill_id -> Text,
        relation -> Text,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Uuid,
        kind -> Text,
        ref_id -> Nullable<Uuid>,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        headers -> Jsonb,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    mail_bounces (address) {
        address -> Text,
        reason -> Text,
        bounced_at -> Timestamptz,
    }
}

diesel::table! {
    alerts (id) {
        id -> Uuid,
        seeker_id -> Uuid,
        name -> Text,
        query -> Nullable<Jsonb>,
        match_profile -> Bool,
        frequency -> Text,
        created_at -> Timestamptz,
        kind -> Text,
        digest_position -> Int8,
    }
}

diesel::table! {
    alert_matches (alert_id, job_id) {
        alert_id -> Uuid,
        job_id -> Uuid,
        matched_skills -> Jsonb,
        status -> Text,
        mail_id -> Nullable<Uuid>,
        matched_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        commute -> Nullable<Jsonb>,
        seq -> Int8,
    }
}

diesel::table! {
    outbox_cursors (name) {
        name -> Text,
        position -> Int8,
    }
}

diesel::table! {
    alert_digest_runs (frequency) {
        frequency -> Text,
        slot -> Timestamptz,
    }
}

diesel::table! {
    partner_invitations (id) {
        id -> Uuid,
        inviter_id -> Uuid,
        email -> Text,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        accepted_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    partner_links (seeker_id) {
        seeker_id -> Uuid,
        partner_id -> Uuid,
        linked_at -> Timestamptz,
    }
}

diesel::table! {
    recruitments (id) {
        id -> Uuid,
        organization_id -> Uuid,
        seeker_id -> Uuid,
        recruited_by -> Nullable<Uuid>,
        status -> Text,
        created_at -> Timestamptz,
        confirmed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    referrals (id) {
        id -> Uuid,
        seeker_id -> Uuid,
        from_organization_id -> Nullable<Uuid>,
        from_organization_name -> Text,
        to_organization_id -> Nullable<Uuid>,
        to_organization_name -> Text,
        referred_by -> Nullable<Uuid>,
        note -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    referral_opt_outs (seeker_id) {
        seeker_id -> Uuid,
        opted_out_at -> Timestamptz,
    }
}

diesel::table! {
    partner_alert_opt_outs (seeker_id) {
        seeker_id -> Uuid,
        opted_out_at -> Timestamptz,
    }
}

diesel::table! {
    job_sources (source, external_id) {
        source -> Text,
        external_id -> Text,
        job_id -> Uuid,
        url -> Nullable<Text>,
        content_hash -> Bytea,
        changed_at -> Nullable<Timestamptz>,
        withdrawn_at -> Nullable<Timestamptz>,
        imported_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    job_fingerprints (job_id) {
        job_id -> Uuid,
        source -> Text,
        fingerprint -> Bytea,
    }
}

diesel::table! {
    job_fingerprint_bands (band_key, job_id) {
        band_key -> Int8,
        job_id -> Uuid,
    }
}

diesel::joinable!(job_sources -> jobs (job_id));
diesel::joinable!(job_fingerprints -> jobs (job_id));
diesel::joinable!(job_fingerprint_bands -> jobs (job_id));
diesel::allow_tables_to_appear_in_same_query!(jobs, job_sources, job_fingerprints, job_fingerprint_bands);

diesel::table! {
    import_feeds (name) {
        name -> Text,
        synced_until -> Timestamptz,
        updated_at -> Timestamptz,
    }
}
