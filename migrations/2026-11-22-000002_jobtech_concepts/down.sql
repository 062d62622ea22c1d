DROP TABLE jobtech_concepts;
