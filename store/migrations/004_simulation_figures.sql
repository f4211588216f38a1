-- Simulation figures in their compact stored form (rules/simulation-figures.ts: each revision's terms
-- once, actuals as arrays) kept as plain text: a simulation reads every row's text as it is, and
-- PostgreSQL need not turn jsonb back into text. Rows projected before keep the older form, which
-- is still read. `simulated_periods` says which rows a whole-portfolio simulation reads.
alter table contracts add column simulated_periods int not null default 0;
update contracts set simulated_periods = jsonb_array_length(simulation -> 'periods');
alter table contracts alter column simulation type text using simulation::text;
alter table contracts rename column simulation to figures;
create index contracts_simulated on contracts (id) where simulated_periods > 0;
