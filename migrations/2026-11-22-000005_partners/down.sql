DROP TABLE referral_opt_outs;
DROP TABLE referrals;
DROP TABLE recruitments;
DROP TABLE partner_links;
DROP TABLE partner_invitations;
