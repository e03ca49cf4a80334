-- Indexes the staff pages need at a city's scale (`upstream bench web`;
-- docs/benchmarks.md). Reads by a person go through household_members
-- (the search's "which household is this person in"); its primary key
-- starts with the household.
CREATE INDEX household_members_person ON household_members (person_id);
