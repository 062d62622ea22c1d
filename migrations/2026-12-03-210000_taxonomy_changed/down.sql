DROP TRIGGER skill_labels_changed ON skill_labels;
DROP TRIGGER skills_changed ON skills;
DROP FUNCTION notify_taxonomy_changed();
