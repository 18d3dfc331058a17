# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hermes_global_optspecs
    string join \n p/profile= quiet color= no-input h/help V/version
end

function __fish_hermes_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hermes_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hermes_using_subcommand
    set -l cmd (__fish_hermes_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hermes -n "__fish_hermes_needs_command" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_needs_command" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_needs_command" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_needs_command" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "chat" -d 'Talk to the agent in the terminal, or ask one question with `-q`'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "profile" -d 'Create, switch and manage profiles (separate agents with their own tokens and memory)'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "config" -d 'Show and change configuration (`config.yaml` and `.env`)'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "gateway" -d 'Run and manage the messaging gateway'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "logs" -d 'View, follow and filter the logs'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "pairing" -d 'Approve or revoke users who asked to talk to the agent (DM pairing)'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "cron" -d 'Manage scheduled tasks (cron jobs)'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "completion" -d 'Print a shell completion script'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "sessions" -d 'Browse, export and clean up conversation history (`state.db`)'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "send" -d 'Send a message to a chat without the agent (the same delivery as cron)'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "runs" -d 'Inspect queued, held and failed runs (messages waiting for an agent turn)'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "setup" -d 'Set up the model, the agent and messaging platforms (arrow keys, or flags)'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "model" -d 'Choose the model provider, its API key and the model'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "status" -d 'Show the setup at a glance: model, keys, platforms, gateway, cron'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "doctor" -d 'Check the setup and fix what is safe to fix'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "update" -d 'Update hermes to the latest release (verified), then restart running gateways'
complete -c hermes -n "__fish_hermes_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand chat" -s q -l query -d 'Ask one question, print only the answer on stdout, and exit' -r
complete -c hermes -n "__fish_hermes_using_subcommand chat" -s m -l model -d 'Use this model for this run' -r
complete -c hermes -n "__fish_hermes_using_subcommand chat" -l provider -d 'Use this provider for this run (`openrouter`, `anthropic`, `openai`, `custom`, …)' -r
complete -c hermes -n "__fish_hermes_using_subcommand chat" -s r -l resume -d 'Resume a session by id (or unique prefix), or `latest`' -r
complete -c hermes -n "__fish_hermes_using_subcommand chat" -s c -l continue -d 'Continue the most recent CLI session, or the one titled NAME' -r
complete -c hermes -n "__fish_hermes_using_subcommand chat" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand chat" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand chat" -l yolo -d 'Run dangerous commands without asking (also `HERMES_YOLO_MODE=1`)'
complete -c hermes -n "__fish_hermes_using_subcommand chat" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand chat" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand chat" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand chat" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -f -a "list" -d 'List every profile: active marker, model, gateway state and alias'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -f -a "use" -d 'Make a profile the sticky default (`default` goes back to ~/.hermes)'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -f -a "create" -d 'Create a new profile'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -f -a "show" -d 'Show one profile\'s details'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -f -a "delete" -d 'Delete a profile: stop its gateway, remove its service, alias and directory'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -f -a "rename" -d 'Rename a profile (directory, alias, sticky default, session keys)'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -f -a "alias" -d 'Create or remove the wrapper command (`~/.local/bin/<alias>`) for a profile'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -f -a "export" -d 'Export a profile to a .tar.gz (never includes .env or auth.json)'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -f -a "import" -d 'Import a profile from an archive made by `profile export`'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and not __fish_seen_subcommand_from list use create show delete rename alias export import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from list" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from list" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from use" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from use" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from use" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from use" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from use" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from use" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -l clone-from -d 'Profile to clone from; implies `--clone` unless `--clone-all` is given' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -l description -d 'One or two sentences on what this profile is for' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -l clone -d 'Copy config.yaml, .env, SOUL.md, memories and skills from the active profile'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -l clone-all -d 'Copy everything from the active profile except history and runtime state'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -l clone-channels -d 'Also copy messaging channel credentials (bot tokens, allowlists); two gateways cannot share a bot'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -l no-alias -d 'Do not create the `~/.local/bin/<name>` wrapper'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -l no-skills -d 'Do not seed the bundled skills'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from show" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from show" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from delete" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from delete" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for the typed confirmation'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from delete" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from delete" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from rename" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from rename" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from rename" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from rename" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from rename" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from alias" -l name -d 'Wrapper name (default: the profile name)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from alias" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from alias" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from alias" -l remove -d 'Remove the wrapper instead of creating it'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from alias" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from alias" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from alias" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from alias" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from export" -s o -l output -d 'Output file (default: `<name>.tar.gz`)' -r -F
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from export" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from export" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from export" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from export" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from import" -l name -d 'Name for the new profile (default: the archive\'s folder name)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from import" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from import" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from import" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from import" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every profile: active marker, model, gateway state and alias'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "use" -d 'Make a profile the sticky default (`default` goes back to ~/.hermes)'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a new profile'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one profile\'s details'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a profile: stop its gateway, remove its service, alias and directory'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "rename" -d 'Rename a profile (directory, alias, sticky default, session keys)'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "alias" -d 'Create or remove the wrapper command (`~/.local/bin/<alias>`) for a profile'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "export" -d 'Export a profile to a .tar.gz (never includes .env or auth.json)'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import a profile from an archive made by `profile export`'
complete -c hermes -n "__fish_hermes_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -f -a "show" -d 'Print the effective configuration (defaults merged with config.yaml; secrets masked)'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -f -a "get" -d 'Print the resolved value of a key (dotted for config.yaml, e.g. `model.default`)'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -f -a "set" -d 'Set a value: secrets (`*_API_KEY`, `*_TOKEN`, env-style names) go to .env, the rest to config.yaml'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -f -a "unset" -d 'Remove a key (its built-in default applies again)'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -f -a "path" -d 'Print the path of config.yaml'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -f -a "env-path" -d 'Print the path of .env'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -f -a "edit" -d 'Open config.yaml in $VISUAL or $EDITOR (or nano, vim, vi), then check it'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -f -a "check" -d 'Check config.yaml and .env: syntax, keys this version does not use, file modes'
complete -c hermes -n "__fish_hermes_using_subcommand config; and not __fish_seen_subcommand_from show get set unset path env-path edit check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from show" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from show" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from get" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from get" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from get" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from get" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from get" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from set" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from set" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from set" -l force -d 'Skip the notice for keys this version does not know (the value is saved either way)'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from set" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from set" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from unset" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from unset" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from unset" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from unset" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from unset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from unset" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from path" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from path" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from path" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from path" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from path" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from env-path" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from env-path" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from env-path" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from env-path" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from env-path" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from env-path" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from edit" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from edit" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from edit" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from edit" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from edit" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from check" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from check" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from check" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from check" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from check" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective configuration (defaults merged with config.yaml; secrets masked)'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print the resolved value of a key (dotted for config.yaml, e.g. `model.default`)'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set a value: secrets (`*_API_KEY`, `*_TOKEN`, env-style names) go to .env, the rest to config.yaml'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "unset" -d 'Remove a key (its built-in default applies again)'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the path of config.yaml'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "env-path" -d 'Print the path of .env'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Open config.yaml in $VISUAL or $EDITOR (or nano, vim, vi), then check it'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check config.yaml and .env: syntax, keys this version does not use, file modes'
complete -c hermes -n "__fish_hermes_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "run" -d 'Run the gateway in the foreground (what services and containers run)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "install" -d 'Install the gateway as a service (systemd unit or launchd agent) that starts at boot'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "uninstall" -d 'Remove the gateway service'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "start" -d 'Start the gateway in the background (the service, or a detached supervisor)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "stop" -d 'Stop the gateway (SIGTERM; it drains and tells busy chats)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "restart" -d 'Restart the gateway (picks up `.env` and `config.yaml` changes)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "status" -d 'Show whether this profile\'s gateway runs: PID, uptime, platforms, runs, service'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "list" -d 'Show every profile\'s gateway in one table'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "__supervise" -d 'Run and restart the gateway in the background (used by `gateway start`)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "setup" -d 'Configure messaging platforms (arrow keys, or a flag per answer)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and not __fish_seen_subcommand_from run install uninstall start stop restart status list __supervise setup help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from run" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from run" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from run" -s v -l verbose -d 'Log to stderr too: -v for INFO, -vv for DEBUG'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Print nothing to stderr (logs still go to files)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from run" -l replace -d 'Take over from a gateway of this same profile that is already running'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from run" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -l run-as-user -d 'With `--system`: run the gateway as this user (default: the user who ran sudo)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -l system -d 'Install a boot-time system unit instead of a user unit (needs sudo)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -l force -d 'Rewrite an installed service file that is outdated'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -l start-now -d 'Start the service right away (the default)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -l no-start-now -d 'Install without starting it'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from uninstall" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from uninstall" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from uninstall" -l system -d 'Target the Linux system unit (`/etc/systemd/system`, needs sudo)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from uninstall" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from uninstall" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from uninstall" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from start" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from start" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from start" -l all -d 'Act on the gateways of every profile'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from start" -l system -d 'Target the Linux system unit'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from start" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from start" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from stop" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from stop" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from stop" -l all -d 'Act on the gateways of every profile'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from stop" -l system -d 'Target the Linux system unit'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from stop" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from stop" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from restart" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from restart" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from restart" -l all -d 'Act on the gateways of every profile'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from restart" -l system -d 'Target the Linux system unit'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from restart" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from restart" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from restart" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from status" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from status" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from status" -l deep -d 'Also show the service manager\'s view, recent starts and the last output lines'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from status" -l system -d 'Look at the system unit'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from status" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from status" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from status" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from list" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from list" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from __supervise" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from __supervise" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from __supervise" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from __supervise" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from __supervise" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from __supervise" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l platform -d 'Configure this platform (repeatable): telegram, discord, slack, matrix, email, homeassistant, webhook, weixin' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l secret-stdin -d 'Read this platform secret (e.g. `TELEGRAM_BOT_TOKEN`) from standard input (repeatable: one line each, in order, after the --api-key-stdin line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l telegram-bot-token-env -d 'Read TELEGRAM_BOT_TOKEN from this environment variable (or use --secret-stdin TELEGRAM_BOT_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l telegram-dm-policy -d 'How should direct messages be authorized? (TELEGRAM_DM_POLICY)' -r -f -a "pairing\t''
open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l telegram-allowed-users -d 'Allowed Telegram user IDs (comma-separated) (TELEGRAM_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l telegram-group-policy -d 'How should group chats be handled? (TELEGRAM_GROUP_POLICY)' -r -f -a "open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l telegram-group-allowed-chats -d 'Allowed group chat IDs (comma-separated) (TELEGRAM_GROUP_ALLOWED_CHATS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l telegram-home-channel -d 'Home channel (chat id for cron results and notices, optional) (TELEGRAM_HOME_CHANNEL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l discord-bot-token-env -d 'Read DISCORD_BOT_TOKEN from this environment variable (or use --secret-stdin DISCORD_BOT_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l discord-dm-policy -d 'How should direct messages be authorized? (DISCORD_DM_POLICY)' -r -f -a "pairing\t''
open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l discord-allowed-users -d 'Allowed Discord user IDs (comma-separated) (DISCORD_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l discord-group-policy -d 'How should server channels be handled? (DISCORD_GROUP_POLICY)' -r -f -a "open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l discord-group-allowed-chats -d 'Allowed channel IDs (comma-separated) (DISCORD_GROUP_ALLOWED_CHATS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l discord-home-channel -d 'Home channel ID (for cron results and notices, optional) (DISCORD_HOME_CHANNEL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l slack-bot-token-env -d 'Read SLACK_BOT_TOKEN from this environment variable (or use --secret-stdin SLACK_BOT_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l slack-app-token-env -d 'Read SLACK_APP_TOKEN from this environment variable (or use --secret-stdin SLACK_APP_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l slack-dm-policy -d 'How should direct messages be authorized? (SLACK_DM_POLICY)' -r -f -a "pairing\t''
open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l slack-allowed-users -d 'Allowed Slack member IDs (comma-separated) (SLACK_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l slack-group-policy -d 'How should channels be handled? (SLACK_GROUP_POLICY)' -r -f -a "open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l slack-group-allowed-chats -d 'Allowed channel IDs (comma-separated) (SLACK_GROUP_ALLOWED_CHATS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l slack-home-channel -d 'Home channel ID (for cron results and notices, optional) (SLACK_HOME_CHANNEL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l matrix-homeserver -d 'Homeserver URL (MATRIX_HOMESERVER)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l matrix-user-id -d 'Bot user ID (MATRIX_USER_ID)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l matrix-access-token-env -d 'Read MATRIX_ACCESS_TOKEN from this environment variable (or use --secret-stdin MATRIX_ACCESS_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l matrix-password-env -d 'Read MATRIX_PASSWORD from this environment variable (or use --secret-stdin MATRIX_PASSWORD)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l matrix-dm-policy -d 'How should direct messages be authorized? (MATRIX_DM_POLICY)' -r -f -a "pairing\t''
open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l matrix-allowed-users -d 'Allowed Matrix user IDs (comma-separated) (MATRIX_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l matrix-group-policy -d 'How should rooms be handled? (MATRIX_GROUP_POLICY)' -r -f -a "open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l matrix-group-allowed-chats -d 'Allowed room IDs (comma-separated) (MATRIX_GROUP_ALLOWED_CHATS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l matrix-home-channel -d 'Home room ID (for cron results and notices, optional) (MATRIX_HOME_CHANNEL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l email-address -d 'Email address of the agent (EMAIL_ADDRESS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l email-password-env -d 'Read EMAIL_PASSWORD from this environment variable (or use --secret-stdin EMAIL_PASSWORD)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l email-imap-host -d 'IMAP server (EMAIL_IMAP_HOST)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l email-imap-port -d 'IMAP port (EMAIL_IMAP_PORT)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l email-smtp-host -d 'SMTP server (EMAIL_SMTP_HOST)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l email-smtp-port -d 'SMTP port (EMAIL_SMTP_PORT)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l email-dm-policy -d 'Who may email the agent? (EMAIL_DM_POLICY)' -r -f -a "allowlist\t''
pairing\t''
open\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l email-allowed-users -d 'Allowed sender addresses (comma-separated) (EMAIL_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l email-home-address -d 'Home address (where cron results are mailed, optional) (EMAIL_HOME_ADDRESS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l hass-url -d 'Home Assistant URL (HASS_URL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l hass-token-env -d 'Read HASS_TOKEN from this environment variable (or use --secret-stdin HASS_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l webhook-port -d 'Port to listen on (WEBHOOK_PORT)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l webhook-secret-env -d 'Read WEBHOOK_SECRET from this environment variable (or use --secret-stdin WEBHOOK_SECRET)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l weixin-account-id -d 'Set WEIXIN_ACCOUNT_ID' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l weixin-base-url -d 'Set WEIXIN_BASE_URL' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l weixin-cdn-base-url -d 'Set WEIXIN_CDN_BASE_URL' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l weixin-token-env -d 'Read WEIXIN_TOKEN from this environment variable (or use --secret-stdin WEIXIN_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l weixin-dm-policy -d 'How should direct messages be authorized? (WEIXIN_DM_POLICY)' -r -f -a "pairing\t''
open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l weixin-allowed-users -d 'Allowed Weixin user IDs (comma-separated) (WEIXIN_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l weixin-group-policy -d 'How should group chats be handled? (WEIXIN_GROUP_POLICY)' -r -f -a "disabled\t''
open\t''
allowlist\t''"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l weixin-group-allowed-users -d 'Allowed group chat IDs (comma-separated; group ids, not member ids) (WEIXIN_GROUP_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l weixin-home-channel -d 'Use your Weixin user ID ({user_id}) as the home channel? (WEIXIN_HOME_CHANNEL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l non-interactive -d 'Never prompt: take every answer from flags and environment variables'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l no-validate -d 'Skip the live checks (token checks, the one-token model request)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l start -l restart -d 'Start the gateway without asking (restart it when it is running)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l install-service -d 'Install the gateway as a service and start it, without asking (restart it when it is running)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l no-start -d 'Do not start, restart or install the gateway; only say how'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from setup" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run the gateway in the foreground (what services and containers run)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "install" -d 'Install the gateway as a service (systemd unit or launchd agent) that starts at boot'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Remove the gateway service'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start the gateway in the background (the service, or a detached supervisor)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop the gateway (SIGTERM; it drains and tells busy chats)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Restart the gateway (picks up `.env` and `config.yaml` changes)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show whether this profile\'s gateway runs: PID, uptime, platforms, runs, service'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "list" -d 'Show every profile\'s gateway in one table'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "__supervise" -d 'Run and restart the gateway in the background (used by `gateway start`)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "setup" -d 'Configure messaging platforms (arrow keys, or a flag per answer)'
complete -c hermes -n "__fish_hermes_using_subcommand gateway; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand logs" -s n -l lines -d 'How many records to show' -r
complete -c hermes -n "__fish_hermes_using_subcommand logs" -l level -d 'Minimum level: DEBUG, INFO, WARNING, ERROR, CRITICAL' -r
complete -c hermes -n "__fish_hermes_using_subcommand logs" -l since -d 'Only records from the last TIME (e.g. 30m, 1h, 2d)' -r
complete -c hermes -n "__fish_hermes_using_subcommand logs" -l session -d 'Only records mentioning this session id (substring)' -r
complete -c hermes -n "__fish_hermes_using_subcommand logs" -l component -d 'Only one component: gateway, agent, tools, cli, cron, gui, api' -r
complete -c hermes -n "__fish_hermes_using_subcommand logs" -l platform -d 'Only records about one platform (telegram, weixin, …)' -r
complete -c hermes -n "__fish_hermes_using_subcommand logs" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand logs" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand logs" -s f -l follow -d 'Keep printing new records (Ctrl+C to stop); survives log rotation'
complete -c hermes -n "__fish_hermes_using_subcommand logs" -l json -d 'One JSON object per record'
complete -c hermes -n "__fish_hermes_using_subcommand logs" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand logs" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand logs" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -f -a "list" -d 'List pending requests and approved users (codes are never shown)'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -f -a "approve" -d 'Approve a pending request by its code or request id, or by the user\'s id'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -f -a "revoke" -d 'Revoke a user\'s access (also removes them from `<PLATFORM>_ALLOWED_USERS` in `.env`)'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -f -a "clear-pending" -d 'Drop every pending request'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and not __fish_seen_subcommand_from list approve revoke clear-pending help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from list" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from list" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from approve" -l user -d 'Approve the pending request of this user id instead' -r
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from approve" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from approve" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from approve" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from approve" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from approve" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from revoke" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from revoke" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from revoke" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from revoke" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from revoke" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from clear-pending" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from clear-pending" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from clear-pending" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from clear-pending" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from clear-pending" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from clear-pending" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from help" -f -a "list" -d 'List pending requests and approved users (codes are never shown)'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Approve a pending request by its code or request id, or by the user\'s id'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Revoke a user\'s access (also removes them from `<PLATFORM>_ALLOWED_USERS` in `.env`)'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from help" -f -a "clear-pending" -d 'Drop every pending request'
complete -c hermes -n "__fish_hermes_using_subcommand pairing; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "list" -d 'List scheduled jobs'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "create" -d 'Create a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "add" -d 'Create a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "edit" -d 'Edit an existing scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "pause" -d 'Pause a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "resume" -d 'Resume a paused job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "run" -d 'Run a job on the next scheduler tick'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "remove" -d 'Remove a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "rm" -d 'Remove a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "delete" -d 'Remove a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "status" -d 'Check if the cron scheduler is running'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "runs" -d 'Show recorded runs, newest first'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "history" -d 'Show recorded runs, newest first'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "tick" -d 'Run due jobs once and exit'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and not __fish_seen_subcommand_from list create add edit pause resume run remove rm delete status runs history tick help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from list" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from list" -l all -d 'Include paused and completed jobs'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from list" -l json -d 'Print the job records as JSON'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from list" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l name -d 'Optional human-friendly job name' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l deliver -d 'Delivery target: `local`, `telegram` (its home channel), `platform:chat_id[:thread_id]`, `all`; comma-separated for several' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l failure-deliver -d 'Where to report failures of a job that delivers locally' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l repeat -d 'How many times to run (default: once for one-shots, forever otherwise)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l skill -d 'Attach a skill. Repeat to add multiple skills' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l script -d 'Path to a script under the profile\'s `scripts/` directory' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l workdir -d 'Absolute path for the job to run from' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l no-agent -d 'Skip the agent: run `--script` on schedule and deliver its stdout. Empty stdout = silent'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l name -d 'Optional human-friendly job name' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l deliver -d 'Delivery target: `local`, `telegram` (its home channel), `platform:chat_id[:thread_id]`, `all`; comma-separated for several' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l failure-deliver -d 'Where to report failures of a job that delivers locally' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l repeat -d 'How many times to run (default: once for one-shots, forever otherwise)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l skill -d 'Attach a skill. Repeat to add multiple skills' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l script -d 'Path to a script under the profile\'s `scripts/` directory' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l workdir -d 'Absolute path for the job to run from' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l no-agent -d 'Skip the agent: run `--script` on schedule and deliver its stdout. Empty stdout = silent'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l schedule -d 'New schedule' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l prompt -d 'New prompt' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l name -d 'New name' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l deliver -d 'New delivery target' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l repeat -d 'New repeat count (0: forever)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l skill -d 'Replace the skills with these. Repeat to add multiple skills' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l add-skill -d 'Add a skill to the existing ones' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l remove-skill -d 'Remove a skill' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l script -d 'New script (empty to clear)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l workdir -d 'New working directory (empty to clear)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l failure-deliver -d 'New failure target (empty to clear)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l clear-skills -d 'Remove every skill'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l no-agent -d 'Skip the agent: run the job\'s script and deliver its stdout'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l agent -d 'Run the agent again (undoes `--no-agent`)'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from edit" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from pause" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from pause" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from pause" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from pause" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from resume" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from resume" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from resume" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from resume" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from resume" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from run" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from run" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from run" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from run" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from remove" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from remove" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from remove" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from rm" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from rm" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from rm" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from rm" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from delete" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from delete" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from delete" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from delete" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from status" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from status" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from status" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from status" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from runs" -l limit -d 'How many runs to show' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from runs" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from runs" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from runs" -l json -d 'Print runs as JSON'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from runs" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from runs" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from runs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from runs" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from history" -l limit -d 'How many runs to show' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from history" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from history" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from history" -l json -d 'Print runs as JSON'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from history" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from history" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from tick" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from tick" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from tick" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from tick" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from tick" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from tick" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "list" -d 'List scheduled jobs'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Edit an existing scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Pause a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Resume a paused job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run a job on the next scheduler tick'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "status" -d 'Check if the cron scheduler is running'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "runs" -d 'Show recorded runs, newest first'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "tick" -d 'Run due jobs once and exit'
complete -c hermes -n "__fish_hermes_using_subcommand cron; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand completion" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand completion" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand completion" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand completion" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand completion" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand completion" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -f -a "list" -d 'List recent sessions, newest first'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -f -a "show" -d 'Print a session\'s transcript'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -f -a "export" -d 'Export a session as JSON Lines (upstream\'s format) or Markdown'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -f -a "rename" -d 'Set or change a session\'s title'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -f -a "delete" -d 'Delete a session and all its messages'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -f -a "prune" -d 'Delete ended sessions that started more than DAYS ago'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -f -a "stats" -d 'Show session and message counts and the database size'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and not __fish_seen_subcommand_from list show export rename delete prune stats help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from list" -l limit -d 'Show at most this many' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from list" -l platform -l source -d 'Only sessions from this platform (`telegram`, `cli`, …)' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from list" -l search -d 'Only sessions whose title contains this text' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from list" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from list" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from show" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from show" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from export" -l format -d 'The format' -r -f -a "jsonl\t'One JSON object per line: the session\'s fields and its `messages`'
md\t'A readable Markdown transcript'"
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to this file (mode 0600) instead of stdout' -r -F
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from export" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from export" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from export" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from export" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from rename" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from rename" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from rename" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from rename" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from rename" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from delete" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from delete" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from delete" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from delete" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from prune" -l older-than -d 'Age in days (`90`), or with a unit: `36h`, `2d`, `1w`' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from prune" -l platform -l source -d 'Only sessions from this platform' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from prune" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from prune" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from prune" -l dry-run -d 'List what would be deleted, delete nothing'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from prune" -s y -l yes -d 'Do not ask for confirmation'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from prune" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from prune" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from stats" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from stats" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from stats" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from stats" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from stats" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "list" -d 'List recent sessions, newest first'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print a session\'s transcript'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "export" -d 'Export a session as JSON Lines (upstream\'s format) or Markdown'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "rename" -d 'Set or change a session\'s title'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a session and all its messages'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Delete ended sessions that started more than DAYS ago'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Show session and message counts and the database size'
complete -c hermes -n "__fish_hermes_using_subcommand sessions; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand send" -s t -l to -d 'Where: `telegram` (its home channel), `telegram:<chat_id>[:<thread_id>]`, `all`, or a comma-separated list' -r
complete -c hermes -n "__fish_hermes_using_subcommand send" -s f -l file -d 'Read the text from a file (`-` for standard input)' -r -F
complete -c hermes -n "__fish_hermes_using_subcommand send" -s s -l subject -d 'A subject (email); other platforms show it as a bold first line' -r
complete -c hermes -n "__fish_hermes_using_subcommand send" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand send" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand send" -s l -l list -d 'List the platforms you can send to and their home channels (optionally one platform)'
complete -c hermes -n "__fish_hermes_using_subcommand send" -s q -d 'Print nothing on success (the exit code says it went out); errors still print'
complete -c hermes -n "__fish_hermes_using_subcommand send" -l json -d 'Print the result as JSON'
complete -c hermes -n "__fish_hermes_using_subcommand send" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand send" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand send" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand send" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -f -a "list" -d 'List runs, newest first'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -f -a "show" -d 'Show one run, with its text, reply and last error'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -f -a "approve" -d 'Release a run held for review; the gateway runs it next'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -f -a "discard" -d 'Drop a queued, held or retrying run without running it'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -f -a "retry" -d 'Queue a failed or retrying run again, now'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and not __fish_seen_subcommand_from list show approve discard retry help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from list" -l state -d 'Only runs in this state' -r -f -a "queued\t'Waiting for a worker'
running\t'Being worked on'
sent\t'Replied'
retry_pending\t'Failed for now; retried later'
awaiting_review\t'Held for `hermes runs approve`'
error\t'Failed or discarded'"
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from list" -l limit -d 'Show at most this many' -r
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from list" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from list" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from list" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from show" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from show" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from show" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from show" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from approve" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from approve" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from approve" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from approve" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from approve" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from discard" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from discard" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from discard" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from discard" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from discard" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from discard" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from retry" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from retry" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from retry" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from retry" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from retry" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "list" -d 'List runs, newest first'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one run, with its text, reply and last error'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "approve" -d 'Release a run held for review; the gateway runs it next'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "discard" -d 'Drop a queued, held or retrying run without running it'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Queue a failed or retrying run again, now'
complete -c hermes -n "__fish_hermes_using_subcommand runs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l provider -d 'The model provider: openrouter, openai, anthropic, nous or custom' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l model -d 'The model id (e.g. `anthropic/claude-sonnet-4.6`)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l base-url -d 'The endpoint of a custom OpenAI-compatible server (e.g. `http://127.0.0.1:11434/v1`)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l api-key-env -d 'Read the API key from this environment variable' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l soul-file -d 'Use this file as the agent\'s SOUL.md' -r -F
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l toolsets -d 'The toolsets the agent may use, comma-separated (e.g. `terminal,file,web`)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l platform -d 'Configure this platform (repeatable): telegram, discord, slack, matrix, email, homeassistant, webhook, weixin' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l secret-stdin -d 'Read this platform secret (e.g. `TELEGRAM_BOT_TOKEN`) from standard input (repeatable: one line each, in order, after the --api-key-stdin line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l telegram-bot-token-env -d 'Read TELEGRAM_BOT_TOKEN from this environment variable (or use --secret-stdin TELEGRAM_BOT_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l telegram-dm-policy -d 'How should direct messages be authorized? (TELEGRAM_DM_POLICY)' -r -f -a "pairing\t''
open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l telegram-allowed-users -d 'Allowed Telegram user IDs (comma-separated) (TELEGRAM_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l telegram-group-policy -d 'How should group chats be handled? (TELEGRAM_GROUP_POLICY)' -r -f -a "open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l telegram-group-allowed-chats -d 'Allowed group chat IDs (comma-separated) (TELEGRAM_GROUP_ALLOWED_CHATS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l telegram-home-channel -d 'Home channel (chat id for cron results and notices, optional) (TELEGRAM_HOME_CHANNEL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l discord-bot-token-env -d 'Read DISCORD_BOT_TOKEN from this environment variable (or use --secret-stdin DISCORD_BOT_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l discord-dm-policy -d 'How should direct messages be authorized? (DISCORD_DM_POLICY)' -r -f -a "pairing\t''
open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l discord-allowed-users -d 'Allowed Discord user IDs (comma-separated) (DISCORD_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l discord-group-policy -d 'How should server channels be handled? (DISCORD_GROUP_POLICY)' -r -f -a "open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l discord-group-allowed-chats -d 'Allowed channel IDs (comma-separated) (DISCORD_GROUP_ALLOWED_CHATS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l discord-home-channel -d 'Home channel ID (for cron results and notices, optional) (DISCORD_HOME_CHANNEL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l slack-bot-token-env -d 'Read SLACK_BOT_TOKEN from this environment variable (or use --secret-stdin SLACK_BOT_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l slack-app-token-env -d 'Read SLACK_APP_TOKEN from this environment variable (or use --secret-stdin SLACK_APP_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l slack-dm-policy -d 'How should direct messages be authorized? (SLACK_DM_POLICY)' -r -f -a "pairing\t''
open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l slack-allowed-users -d 'Allowed Slack member IDs (comma-separated) (SLACK_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l slack-group-policy -d 'How should channels be handled? (SLACK_GROUP_POLICY)' -r -f -a "open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l slack-group-allowed-chats -d 'Allowed channel IDs (comma-separated) (SLACK_GROUP_ALLOWED_CHATS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l slack-home-channel -d 'Home channel ID (for cron results and notices, optional) (SLACK_HOME_CHANNEL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l matrix-homeserver -d 'Homeserver URL (MATRIX_HOMESERVER)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l matrix-user-id -d 'Bot user ID (MATRIX_USER_ID)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l matrix-access-token-env -d 'Read MATRIX_ACCESS_TOKEN from this environment variable (or use --secret-stdin MATRIX_ACCESS_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l matrix-password-env -d 'Read MATRIX_PASSWORD from this environment variable (or use --secret-stdin MATRIX_PASSWORD)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l matrix-dm-policy -d 'How should direct messages be authorized? (MATRIX_DM_POLICY)' -r -f -a "pairing\t''
open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l matrix-allowed-users -d 'Allowed Matrix user IDs (comma-separated) (MATRIX_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l matrix-group-policy -d 'How should rooms be handled? (MATRIX_GROUP_POLICY)' -r -f -a "open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l matrix-group-allowed-chats -d 'Allowed room IDs (comma-separated) (MATRIX_GROUP_ALLOWED_CHATS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l matrix-home-channel -d 'Home room ID (for cron results and notices, optional) (MATRIX_HOME_CHANNEL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l email-address -d 'Email address of the agent (EMAIL_ADDRESS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l email-password-env -d 'Read EMAIL_PASSWORD from this environment variable (or use --secret-stdin EMAIL_PASSWORD)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l email-imap-host -d 'IMAP server (EMAIL_IMAP_HOST)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l email-imap-port -d 'IMAP port (EMAIL_IMAP_PORT)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l email-smtp-host -d 'SMTP server (EMAIL_SMTP_HOST)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l email-smtp-port -d 'SMTP port (EMAIL_SMTP_PORT)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l email-dm-policy -d 'Who may email the agent? (EMAIL_DM_POLICY)' -r -f -a "allowlist\t''
pairing\t''
open\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l email-allowed-users -d 'Allowed sender addresses (comma-separated) (EMAIL_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l email-home-address -d 'Home address (where cron results are mailed, optional) (EMAIL_HOME_ADDRESS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l hass-url -d 'Home Assistant URL (HASS_URL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l hass-token-env -d 'Read HASS_TOKEN from this environment variable (or use --secret-stdin HASS_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l webhook-port -d 'Port to listen on (WEBHOOK_PORT)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l webhook-secret-env -d 'Read WEBHOOK_SECRET from this environment variable (or use --secret-stdin WEBHOOK_SECRET)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l weixin-account-id -d 'Set WEIXIN_ACCOUNT_ID' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l weixin-base-url -d 'Set WEIXIN_BASE_URL' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l weixin-cdn-base-url -d 'Set WEIXIN_CDN_BASE_URL' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l weixin-token-env -d 'Read WEIXIN_TOKEN from this environment variable (or use --secret-stdin WEIXIN_TOKEN)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l weixin-dm-policy -d 'How should direct messages be authorized? (WEIXIN_DM_POLICY)' -r -f -a "pairing\t''
open\t''
allowlist\t''
disabled\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l weixin-allowed-users -d 'Allowed Weixin user IDs (comma-separated) (WEIXIN_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l weixin-group-policy -d 'How should group chats be handled? (WEIXIN_GROUP_POLICY)' -r -f -a "disabled\t''
open\t''
allowlist\t''"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l weixin-group-allowed-users -d 'Allowed group chat IDs (comma-separated; group ids, not member ids) (WEIXIN_GROUP_ALLOWED_USERS)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l weixin-home-channel -d 'Use your Weixin user ID ({user_id}) as the home channel? (WEIXIN_HOME_CHANNEL)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l non-interactive -d 'Never prompt: take every answer from flags and environment variables'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l no-validate -d 'Skip the live checks (token checks, the one-token model request)'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l reset -d 'Start from the built-in defaults instead of the current settings (asks first)'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l quick -d 'Ask only about what is not configured yet'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l api-key-stdin -d 'Read the API key from standard input (one line)'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l no-keychain -d 'Keep the API key in .env, not in the OS keychain (or set `HERMES_NO_KEYCHAIN=1`)'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l start -l restart -d 'Start the gateway without asking (restart it when it is running)'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l install-service -d 'Install the gateway as a service and start it, without asking (restart it when it is running)'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l no-start -d 'Do not start, restart or install the gateway; only say how'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand setup" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand model" -l provider -d 'The model provider: openrouter, openai, anthropic, nous or custom' -r
complete -c hermes -n "__fish_hermes_using_subcommand model" -l model -d 'The model id (e.g. `anthropic/claude-sonnet-4.6`)' -r
complete -c hermes -n "__fish_hermes_using_subcommand model" -l base-url -d 'The endpoint of a custom OpenAI-compatible server (e.g. `http://127.0.0.1:11434/v1`)' -r
complete -c hermes -n "__fish_hermes_using_subcommand model" -l api-key-env -d 'Read the API key from this environment variable' -r
complete -c hermes -n "__fish_hermes_using_subcommand model" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand model" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand model" -l non-interactive -d 'Never prompt: take every answer from flags and environment variables'
complete -c hermes -n "__fish_hermes_using_subcommand model" -l no-validate -d 'Skip the live checks (token checks, the one-token model request)'
complete -c hermes -n "__fish_hermes_using_subcommand model" -l api-key-stdin -d 'Read the API key from standard input (one line)'
complete -c hermes -n "__fish_hermes_using_subcommand model" -l no-keychain -d 'Keep the API key in .env, not in the OS keychain (or set `HERMES_NO_KEYCHAIN=1`)'
complete -c hermes -n "__fish_hermes_using_subcommand model" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand model" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand model" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand model" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand status" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand status" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand status" -l all -d 'Shareable: no key fragments, no chat ids, paths with `~` (for bug reports)'
complete -c hermes -n "__fish_hermes_using_subcommand status" -l deep -d 'Probe the provider and platforms over the network (short timeouts)'
complete -c hermes -n "__fish_hermes_using_subcommand status" -l json -d 'Print JSON'
complete -c hermes -n "__fish_hermes_using_subcommand status" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand status" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand status" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand doctor" -l timeout -d 'Seconds each network probe may take' -r
complete -c hermes -n "__fish_hermes_using_subcommand doctor" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand doctor" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand doctor" -l fix -d 'Repair what is safe to repair (permissions, missing directories, stale pid files, outdated service files) and say what was done'
complete -c hermes -n "__fish_hermes_using_subcommand doctor" -l json -d 'Print the findings as JSON'
complete -c hermes -n "__fish_hermes_using_subcommand doctor" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand doctor" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand update" -l from-file -d 'Install a downloaded release (`.tar.gz` or the binary) without the network; its signature `FILE.sig` beside it is required and verified (and `FILE.sha256`, if there)' -r -F
complete -c hermes -n "__fish_hermes_using_subcommand update" -s p -l profile -d 'Use this profile for this command only (accepted anywhere on the line)' -r
complete -c hermes -n "__fish_hermes_using_subcommand update" -l color -d 'When to use colour' -r -f -a "auto\t'Colour on a terminal unless `NO_COLOR` is set'
always\t'Colour even when not on a terminal (still never with `NO_COLOR`)'
never\t'Never colour'"
complete -c hermes -n "__fish_hermes_using_subcommand update" -l check -d 'Only say whether a newer release exists'
complete -c hermes -n "__fish_hermes_using_subcommand update" -l allow-unsigned -d 'With --from-file: install even when no `FILE.sig` is beside it (a build of your own). A signature that is there but does not match is still refused'
complete -c hermes -n "__fish_hermes_using_subcommand update" -s y -l yes -d 'Do not ask before installing'
complete -c hermes -n "__fish_hermes_using_subcommand update" -l sync-skills -d 'Sync bundled skills into every profile and exit (run by the new binary after an update)'
complete -c hermes -n "__fish_hermes_using_subcommand update" -l quiet -d 'Print less: no status lines, only data and errors'
complete -c hermes -n "__fish_hermes_using_subcommand update" -l no-input -d 'Never prompt; fail with the flag to pass instead'
complete -c hermes -n "__fish_hermes_using_subcommand update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hermes -n "__fish_hermes_using_subcommand update" -s V -l version -d 'Print version'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "chat" -d 'Talk to the agent in the terminal, or ask one question with `-q`'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "profile" -d 'Create, switch and manage profiles (separate agents with their own tokens and memory)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "config" -d 'Show and change configuration (`config.yaml` and `.env`)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "gateway" -d 'Run and manage the messaging gateway'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "logs" -d 'View, follow and filter the logs'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "pairing" -d 'Approve or revoke users who asked to talk to the agent (DM pairing)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "cron" -d 'Manage scheduled tasks (cron jobs)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "completion" -d 'Print a shell completion script'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "sessions" -d 'Browse, export and clean up conversation history (`state.db`)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "send" -d 'Send a message to a chat without the agent (the same delivery as cron)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "runs" -d 'Inspect queued, held and failed runs (messages waiting for an agent turn)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "setup" -d 'Set up the model, the agent and messaging platforms (arrow keys, or flags)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "model" -d 'Choose the model provider, its API key and the model'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "status" -d 'Show the setup at a glance: model, keys, platforms, gateway, cron'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "doctor" -d 'Check the setup and fix what is safe to fix'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "update" -d 'Update hermes to the latest release (verified), then restart running gateways'
complete -c hermes -n "__fish_hermes_using_subcommand help; and not __fish_seen_subcommand_from chat profile config gateway logs pairing cron completion sessions send runs setup model status doctor update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "list" -d 'List every profile: active marker, model, gateway state and alias'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "use" -d 'Make a profile the sticky default (`default` goes back to ~/.hermes)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "create" -d 'Create a new profile'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "show" -d 'Show one profile\'s details'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "delete" -d 'Delete a profile: stop its gateway, remove its service, alias and directory'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "rename" -d 'Rename a profile (directory, alias, sticky default, session keys)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "alias" -d 'Create or remove the wrapper command (`~/.local/bin/<alias>`) for a profile'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "export" -d 'Export a profile to a .tar.gz (never includes .env or auth.json)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "import" -d 'Import a profile from an archive made by `profile export`'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective configuration (defaults merged with config.yaml; secrets masked)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "get" -d 'Print the resolved value of a key (dotted for config.yaml, e.g. `model.default`)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set" -d 'Set a value: secrets (`*_API_KEY`, `*_TOKEN`, env-style names) go to .env, the rest to config.yaml'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "unset" -d 'Remove a key (its built-in default applies again)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print the path of config.yaml'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "env-path" -d 'Print the path of .env'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "edit" -d 'Open config.yaml in $VISUAL or $EDITOR (or nano, vim, vi), then check it'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "check" -d 'Check config.yaml and .env: syntax, keys this version does not use, file modes'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from gateway" -f -a "run" -d 'Run the gateway in the foreground (what services and containers run)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from gateway" -f -a "install" -d 'Install the gateway as a service (systemd unit or launchd agent) that starts at boot'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from gateway" -f -a "uninstall" -d 'Remove the gateway service'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from gateway" -f -a "start" -d 'Start the gateway in the background (the service, or a detached supervisor)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from gateway" -f -a "stop" -d 'Stop the gateway (SIGTERM; it drains and tells busy chats)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from gateway" -f -a "restart" -d 'Restart the gateway (picks up `.env` and `config.yaml` changes)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from gateway" -f -a "status" -d 'Show whether this profile\'s gateway runs: PID, uptime, platforms, runs, service'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from gateway" -f -a "list" -d 'Show every profile\'s gateway in one table'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from gateway" -f -a "__supervise" -d 'Run and restart the gateway in the background (used by `gateway start`)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from gateway" -f -a "setup" -d 'Configure messaging platforms (arrow keys, or a flag per answer)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from pairing" -f -a "list" -d 'List pending requests and approved users (codes are never shown)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from pairing" -f -a "approve" -d 'Approve a pending request by its code or request id, or by the user\'s id'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from pairing" -f -a "revoke" -d 'Revoke a user\'s access (also removes them from `<PLATFORM>_ALLOWED_USERS` in `.env`)'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from pairing" -f -a "clear-pending" -d 'Drop every pending request'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from cron" -f -a "list" -d 'List scheduled jobs'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from cron" -f -a "create" -d 'Create a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from cron" -f -a "edit" -d 'Edit an existing scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from cron" -f -a "pause" -d 'Pause a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from cron" -f -a "resume" -d 'Resume a paused job'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from cron" -f -a "run" -d 'Run a job on the next scheduler tick'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from cron" -f -a "remove" -d 'Remove a scheduled job'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from cron" -f -a "status" -d 'Check if the cron scheduler is running'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from cron" -f -a "runs" -d 'Show recorded runs, newest first'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from cron" -f -a "tick" -d 'Run due jobs once and exit'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "list" -d 'List recent sessions, newest first'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "show" -d 'Print a session\'s transcript'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "export" -d 'Export a session as JSON Lines (upstream\'s format) or Markdown'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "rename" -d 'Set or change a session\'s title'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "delete" -d 'Delete a session and all its messages'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "prune" -d 'Delete ended sessions that started more than DAYS ago'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from sessions" -f -a "stats" -d 'Show session and message counts and the database size'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "list" -d 'List runs, newest first'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "show" -d 'Show one run, with its text, reply and last error'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "approve" -d 'Release a run held for review; the gateway runs it next'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "discard" -d 'Drop a queued, held or retrying run without running it'
complete -c hermes -n "__fish_hermes_using_subcommand help; and __fish_seen_subcommand_from runs" -f -a "retry" -d 'Queue a failed or retrying run again, now'

function __hermes_profile_names
    set -l root $HERMES_HOME
    test -z "$root"; and set root $HOME/.hermes
    set root (string replace -r '/profiles/.*$' '' -- $root)
    echo default
    for d in $root/profiles/*/
        basename $d
    end
end

# True when the word at the cursor is a profile name (see `hermes completion`'s rule).
function __hermes_wants_profile
    set -l words (commandline -opc)
    set -e words[1]
    string match -q -- '-*' (commandline -ct); and return 1
    set -l rest
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
            continue
        end
        if contains -- $w -p --profile --color -o --output --name
            set skip 1
        else if not string match -q -- '-*' $w
            set -a rest $w
        end
    end
    test (count $rest) -eq 2; and test "$rest[1]" = profile; and contains -- $rest[2] use show delete rename alias export
end
complete -c hermes -s p -l profile -x -a '(__hermes_profile_names)'
complete -c hermes -n __hermes_wants_profile -f -a '(__hermes_profile_names)'
