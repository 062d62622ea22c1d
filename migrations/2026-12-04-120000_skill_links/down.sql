DROP TABLE skill_links;
