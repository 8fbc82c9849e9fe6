-- scentiss_answer_save: one call per answer on PostgreSQL (survey.services.answer_save).
--
-- The tally rule it keeps is written once, in survey/tallies.py; this function is its fast
-- path and tests/test_tallies.py checks it against that rule (and against the ORM path that
-- SQLite uses). The function is installed from this file after every `migrate`
-- (survey.apps.SurveyConfig.ready, post_migrate): change it here, not in a migration.
--
-- The answer, both tallies and the session's version in one statement and one transaction,
-- never a round trip to the app while a row is locked. Rows are locked in one order by every
-- call: the answer, the statement's tallies by ascending score, the participant's element
-- tally, and the session's row last. So no two calls deadlock, and the session's row (which
-- every answer of the session bumps) is held only from its UPDATE to the commit right after.
-- Versions still commit in order, with their answers and tallies: a snapshot that reads
-- version v, then the tallies, holds every answer acknowledged up to v. It also returns how
-- many statements the participant has answered (the phone's progress).
--
-- Table names are the models' (db_table), filled in where this file writes {answer},
-- {item_tally}, {element_tally} and {workshop}.
CREATE OR REPLACE FUNCTION scentiss_answer_save(
    p_workshop bigint, p_participant bigint, p_statement bigint, p_element bigint,
    p_score smallint
) RETURNS TABLE (changed boolean, version integer, answered integer) LANGUAGE plpgsql AS $$
DECLARE
    v_version integer;
    v_old smallint;
    v_found boolean := false;
    v_new_key smallint := COALESCE(p_score, 0);
    v_old_key smallint;
BEGIN
    LOOP
        SELECT a.score, true INTO v_old, v_found FROM {answer} a
            WHERE a.participant_id = p_participant AND a.statement_id = p_statement
            FOR UPDATE;
        EXIT WHEN v_found;
        INSERT INTO {answer} (participant_id, statement_id, score, answered_at,
                                   updated_at)
            VALUES (p_participant, p_statement, p_score, now(), now())
            ON CONFLICT (participant_id, statement_id) DO NOTHING;
        EXIT WHEN FOUND;
        -- The same phone's retry inserted it a moment ago: lock that row and compare.
    END LOOP;
    IF v_found AND v_old IS NOT DISTINCT FROM p_score THEN
        SELECT w.results_version INTO v_version FROM {workshop} w
            WHERE w.id = p_workshop;
        RETURN QUERY SELECT false, v_version, (
            SELECT COALESCE(SUM(t.answered), 0)::integer FROM {element_tally} t
            WHERE t.participant_id = p_participant);
        RETURN;
    END IF;
    IF v_found THEN
        UPDATE {answer} SET score = p_score, updated_at = now()
            WHERE participant_id = p_participant AND statement_id = p_statement;
        v_old_key := COALESCE(v_old, 0);
        IF v_old_key < v_new_key THEN
            UPDATE {item_tally} SET n = n - 1 WHERE workshop_id = p_workshop
                AND statement_id = p_statement AND score = v_old_key;
        END IF;
    END IF;
    INSERT INTO {item_tally} (workshop_id, statement_id, score, n)
        VALUES (p_workshop, p_statement, v_new_key, 1)
        ON CONFLICT (workshop_id, statement_id, score)
        DO UPDATE SET n = {item_tally}.n + 1;
    IF v_found AND v_old_key > v_new_key THEN
        UPDATE {item_tally} SET n = n - 1 WHERE workshop_id = p_workshop
            AND statement_id = p_statement AND score = v_old_key;
    END IF;
    INSERT INTO {element_tally} (workshop_id, participant_id, element_id, total, scored,
                                     answered)
        VALUES (p_workshop, p_participant, p_element, COALESCE(p_score, 0),
                (p_score IS NOT NULL)::int, 1)
        ON CONFLICT (participant_id, element_id) DO UPDATE SET
            total = {element_tally}.total + COALESCE(p_score, 0)
                    - CASE WHEN v_found THEN COALESCE(v_old, 0) ELSE 0 END,
            scored = {element_tally}.scored + (p_score IS NOT NULL)::int
                     - CASE WHEN v_found THEN (v_old IS NOT NULL)::int ELSE 0 END,
            answered = {element_tally}.answered + CASE WHEN v_found THEN 0 ELSE 1 END;
    UPDATE {workshop} SET results_version = results_version + 1
        WHERE id = p_workshop RETURNING results_version INTO v_version;
    RETURN QUERY SELECT true, v_version, (
        SELECT COALESCE(SUM(t.answered), 0)::integer FROM {element_tally} t
        WHERE t.participant_id = p_participant);
END;
$$;
