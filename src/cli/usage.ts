/** The help texts of `vault-agent` and its subcommands. */

const COMMON = `Options of every command:
  --vault DIR          the vault folder (required)
  --config-dir DIR     the vault's config folder (default .obsidian)
  --base-url URL       the Messages API endpoint (else ANTHROPIC_BASE_URL, else the vault settings)
  --verbose            say which endpoint, settings file and state folder are used
  --default-settings   run on a vault that has no Vault Agent settings file, with the default exclusions
                       (only notes tagged #private); without it such a vault is refused
  -h, --help           this help

The API key is read from ANTHROPIC_API_KEY (a local endpoint that checks no key still needs some value).
Exclusions, the jobs folder and the output folder come from the plugin's settings in
<vault>/<config-dir>/plugins/vault-agent/data.json. Settings that cannot be read, that say nothing about
exclusions, or that are missing (without --default-settings) stop every command, and nothing is sent.`;

/** `vault-agent --help`. */
export const MAIN_USAGE = `Usage: vault-agent <command> --vault DIR [options]
       vault-agent --version

Commands:
  enqueue   Queue a delegate job; prints the job note's path.
  run       Run queued and due scheduled jobs, then exit (or keep watching with --watch).
  status    Show the job queue.
  ask       One co-pilot turn in the terminal, streaming the answer.
  review    List the changes waiting for review; on a terminal, decide on them hunk by hunk.
  mcp       Serve the vault to an MCP client (Claude Desktop, Claude Code, ...) over stdio.
  mcp-allow Allow a configured MCP server to run on this device (used by run and ask).

Run "vault-agent <command> --help" for a command's options.

${COMMON}
`;

/** `vault-agent enqueue --help`. */
export const ENQUEUE_USAGE = `Usage: vault-agent enqueue --vault DIR [--context REF]... [--output FOLDER] [--model M]
                         [--title NAME] [--read-only | --propose] [--schedule WHEN] [--batch] [--each FOLDER] "brief"
       vault-agent enqueue --vault DIR --command NAME [args...]

Writes a new job note (status: queued) to the jobs folder and prints its path.
  --context REF      context for the job: "[[Note]]", "Folder/" or "#tag" (repeatable)
  --output FOLDER    where the job writes its result (default: the settings' output folder)
  --model M          the model (default: the settings' default model)
  --title NAME       the job note's name (default: the start of the brief)
  --read-only        the job may read but not create notes
  --propose          the job may propose changes to any note (edits, new notes, renames, deletes); they wait
                     for your review (vault-agent review, or the plugin's review inbox) and change nothing now
  --schedule WHEN    make the note a template that queues a job at each due time, in this device's local time:
                     "daily 08:00", "weekdays 09:30", "weekly mon 09:00" or a cron expression ("0 7 1 * *")
  --batch            send the job as one request through the Message Batches API: half the price, no tools,
                     the answer can take up to 24 hours; batch jobs due together share a batch
  --each FOLDER      queue the job once per note under FOLDER, each with that note as context (excluded notes
                     are left out); with --batch, a whole folder goes out as one batch of work
  --command NAME     expand the custom command NAME (a note in the commands folder) with the words after it

${COMMON}
`;

/** `vault-agent run --help`. */
export const RUN_USAGE = `Usage: vault-agent run --vault DIR [--concurrency N] [--watch] [--batch-poll SECONDS]

Runs queued jobs and due scheduled jobs. Progress goes to stderr, one line per change of a job's state, and a
summary at the end. The exit code is 1 when a job failed, a job note was left as it is (it could not be read as a
job, or written), or the queue had to stop; else 0.
Ctrl-C stops gracefully: running jobs end "interrupted" and run again next time.
  --concurrency N    jobs at once (default: the settings' concurrency)
  --watch            keep running and pick up new jobs until stopped
  --batch-poll S     first look at a pending Message Batch after S seconds (default 30; later looks slow down
                     to one every 10 minutes). Batch jobs due together go out in as few batches as the API
                     allows and take no place among the running jobs; a run waits for their results

${COMMON}
`;

/** `vault-agent status --help`. */
export const STATUS_USAGE = `Usage: vault-agent status --vault DIR [--json]

Shows every job note in the jobs folder and the notes that could not be read.
  --json             print the queue as JSON

${COMMON}
`;

/** `vault-agent review --help`. */
export const REVIEW_USAGE = `Usage: vault-agent review --vault DIR [--show ID | --undo ID]

Lists the changes waiting for review (proposed by jobs in propose mode and by MCP clients with propose_edit),
newest first, grouped by who proposed them. On a terminal it then shows each as a diff against the note as it
is now and asks about every change: y accepts, n rejects, s skips the proposal for later, q stops. What you
accept is applied like a change approved in the chat (never over text that changed since; undo is kept).
Without a terminal nothing is applied.
  --show ID          print one proposal as a diff against the note as it is now
  --undo ID          undo an applied proposal (only while the note is as the change left it)

${COMMON}
`;

/** `vault-agent ask --help`. */
export const ASK_USAGE = `Usage: vault-agent ask --vault DIR [--mode read-only|ask] [--model M] "prompt with @[[mentions]]"

One co-pilot turn: the notes you @-mention are attached (through the exclusions), and the answer is streamed
to stdout. In read-only mode (the default) no note is changed. In ask mode every proposed change is shown as a
diff and needs a "y" on the terminal; without a terminal every change is refused. Control characters in
the answer are shown as \uFFFD, never sent to the terminal as they are. Once the reader of stdout goes away
(... | head), the turn stops and the exit status is 141.
  --mode MODE        read-only (default) or ask
  --model M          the model (default: the settings' default model)

${COMMON}
`;

/** `vault-agent mcp --help`. */
export const MCP_USAGE = `Usage: vault-agent mcp --vault DIR [--config-dir DIR] [--default-settings]

Serves the vault over stdio to an MCP client: list, read, search, outline, links, tags and create note, with
the vault's exclusions applied to every result. Nothing but MCP messages is written to stdout.
  --vault DIR        the vault folder
  --config-dir DIR   the vault's config folder (default .obsidian)
  --default-settings serve a vault that has no Vault Agent settings file with the default exclusions (only notes
                     tagged #private); without it such a vault is refused
An oversized or unreadable request is answered with a JSON-RPC error; the server keeps serving.
`;
