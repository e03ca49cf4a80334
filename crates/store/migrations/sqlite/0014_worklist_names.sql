-- Who lives in each listed household, by name, as the list was made: the
-- list page shows them on every view, and reading them from every record
-- version each time was the costliest part of a team leader's page
-- (docs/benchmarks.md). Lists made before this have none; the page reads
-- those households' names as it did.
ALTER TABLE worklist_entries ADD COLUMN names TEXT;
