
use builtin;
use str;
use re;
use path;

var hermes-clap-completer = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'hermes'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'hermes'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand chat 'Talk to the agent in the terminal, or ask one question with `-q`'
            cand profile 'Create, switch and manage profiles (separate agents with their own tokens and memory)'
            cand config 'Show and change configuration (`config.yaml` and `.env`)'
            cand gateway 'Run and manage the messaging gateway'
            cand logs 'View, follow and filter the logs'
            cand pairing 'Approve or revoke users who asked to talk to the agent (DM pairing)'
            cand cron 'Manage scheduled tasks (cron jobs)'
            cand completion 'Print a shell completion script'
            cand sessions 'Browse, export and clean up conversation history (`state.db`)'
            cand send 'Send a message to a chat without the agent (the same delivery as cron)'
            cand runs 'Inspect queued, held and failed runs (messages waiting for an agent turn)'
            cand setup 'Set up the model, the agent and messaging platforms (arrow keys, or flags)'
            cand model 'Choose the model provider, its API key and the model'
            cand status 'Show the setup at a glance: model, keys, platforms, gateway, cron'
            cand doctor 'Check the setup and fix what is safe to fix'
            cand update 'Update hermes to the latest release (verified), then restart running gateways'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;chat'= {
            cand -q 'Ask one question, print only the answer on stdout, and exit'
            cand --query 'Ask one question, print only the answer on stdout, and exit'
            cand -m 'Use this model for this run'
            cand --model 'Use this model for this run'
            cand --provider 'Use this provider for this run (`openrouter`, `anthropic`, `openai`, `custom`, …)'
            cand -r 'Resume a session by id (or unique prefix), or `latest`'
            cand --resume 'Resume a session by id (or unique prefix), or `latest`'
            cand -c 'Continue the most recent CLI session, or the one titled NAME'
            cand --continue 'Continue the most recent CLI session, or the one titled NAME'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --yolo 'Run dangerous commands without asking (also `HERMES_YOLO_MODE=1`)'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;profile'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List every profile: active marker, model, gateway state and alias'
            cand use 'Make a profile the sticky default (`default` goes back to ~/.hermes)'
            cand create 'Create a new profile'
            cand show 'Show one profile''s details'
            cand delete 'Delete a profile: stop its gateway, remove its service, alias and directory'
            cand rename 'Rename a profile (directory, alias, sticky default, session keys)'
            cand alias 'Create or remove the wrapper command (`~/.local/bin/<alias>`) for a profile'
            cand export 'Export a profile to a .tar.gz (never includes .env or auth.json)'
            cand import 'Import a profile from an archive made by `profile export`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;profile;list'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;profile;use'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;profile;create'= {
            cand --clone-from 'Profile to clone from; implies `--clone` unless `--clone-all` is given'
            cand --description 'One or two sentences on what this profile is for'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --clone 'Copy config.yaml, .env, SOUL.md, memories and skills from the active profile'
            cand --clone-all 'Copy everything from the active profile except history and runtime state'
            cand --clone-channels 'Also copy messaging channel credentials (bot tokens, allowlists); two gateways cannot share a bot'
            cand --no-alias 'Do not create the `~/.local/bin/<name>` wrapper'
            cand --no-skills 'Do not seed the bundled skills'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;profile;show'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;profile;delete'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand -y 'Do not ask for the typed confirmation'
            cand --yes 'Do not ask for the typed confirmation'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;profile;rename'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;profile;alias'= {
            cand --name 'Wrapper name (default: the profile name)'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --remove 'Remove the wrapper instead of creating it'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;profile;export'= {
            cand -o 'Output file (default: `<name>.tar.gz`)'
            cand --output 'Output file (default: `<name>.tar.gz`)'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;profile;import'= {
            cand --name 'Name for the new profile (default: the archive''s folder name)'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;profile;help'= {
            cand list 'List every profile: active marker, model, gateway state and alias'
            cand use 'Make a profile the sticky default (`default` goes back to ~/.hermes)'
            cand create 'Create a new profile'
            cand show 'Show one profile''s details'
            cand delete 'Delete a profile: stop its gateway, remove its service, alias and directory'
            cand rename 'Rename a profile (directory, alias, sticky default, session keys)'
            cand alias 'Create or remove the wrapper command (`~/.local/bin/<alias>`) for a profile'
            cand export 'Export a profile to a .tar.gz (never includes .env or auth.json)'
            cand import 'Import a profile from an archive made by `profile export`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;profile;help;list'= {
        }
        &'hermes;profile;help;use'= {
        }
        &'hermes;profile;help;create'= {
        }
        &'hermes;profile;help;show'= {
        }
        &'hermes;profile;help;delete'= {
        }
        &'hermes;profile;help;rename'= {
        }
        &'hermes;profile;help;alias'= {
        }
        &'hermes;profile;help;export'= {
        }
        &'hermes;profile;help;import'= {
        }
        &'hermes;profile;help;help'= {
        }
        &'hermes;config'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Print the effective configuration (defaults merged with config.yaml; secrets masked)'
            cand get 'Print the resolved value of a key (dotted for config.yaml, e.g. `model.default`)'
            cand set 'Set a value: secrets (`*_API_KEY`, `*_TOKEN`, env-style names) go to .env, the rest to config.yaml'
            cand unset 'Remove a key (its built-in default applies again)'
            cand path 'Print the path of config.yaml'
            cand env-path 'Print the path of .env'
            cand edit 'Open config.yaml in $VISUAL or $EDITOR (or nano, vim, vi), then check it'
            cand check 'Check config.yaml and .env: syntax, keys this version does not use, file modes'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;config;show'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;config;get'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;config;set'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --force 'Skip the notice for keys this version does not know (the value is saved either way)'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;config;unset'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;config;path'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;config;env-path'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;config;edit'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;config;check'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;config;help'= {
            cand show 'Print the effective configuration (defaults merged with config.yaml; secrets masked)'
            cand get 'Print the resolved value of a key (dotted for config.yaml, e.g. `model.default`)'
            cand set 'Set a value: secrets (`*_API_KEY`, `*_TOKEN`, env-style names) go to .env, the rest to config.yaml'
            cand unset 'Remove a key (its built-in default applies again)'
            cand path 'Print the path of config.yaml'
            cand env-path 'Print the path of .env'
            cand edit 'Open config.yaml in $VISUAL or $EDITOR (or nano, vim, vi), then check it'
            cand check 'Check config.yaml and .env: syntax, keys this version does not use, file modes'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;config;help;show'= {
        }
        &'hermes;config;help;get'= {
        }
        &'hermes;config;help;set'= {
        }
        &'hermes;config;help;unset'= {
        }
        &'hermes;config;help;path'= {
        }
        &'hermes;config;help;env-path'= {
        }
        &'hermes;config;help;edit'= {
        }
        &'hermes;config;help;check'= {
        }
        &'hermes;config;help;help'= {
        }
        &'hermes;gateway'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Run the gateway in the foreground (what services and containers run)'
            cand install 'Install the gateway as a service (systemd unit or launchd agent) that starts at boot'
            cand uninstall 'Remove the gateway service'
            cand start 'Start the gateway in the background (the service, or a detached supervisor)'
            cand stop 'Stop the gateway (SIGTERM; it drains and tells busy chats)'
            cand restart 'Restart the gateway (picks up `.env` and `config.yaml` changes)'
            cand status 'Show whether this profile''s gateway runs: PID, uptime, platforms, runs, service'
            cand list 'Show every profile''s gateway in one table'
            cand __supervise 'Run and restart the gateway in the background (used by `gateway start`)'
            cand setup 'Configure messaging platforms (arrow keys, or a flag per answer)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;gateway;run'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand -v 'Log to stderr too: -v for INFO, -vv for DEBUG'
            cand --verbose 'Log to stderr too: -v for INFO, -vv for DEBUG'
            cand -q 'Print nothing to stderr (logs still go to files)'
            cand --quiet 'Print nothing to stderr (logs still go to files)'
            cand --replace 'Take over from a gateway of this same profile that is already running'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;gateway;install'= {
            cand --run-as-user 'With `--system`: run the gateway as this user (default: the user who ran sudo)'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --system 'Install a boot-time system unit instead of a user unit (needs sudo)'
            cand --force 'Rewrite an installed service file that is outdated'
            cand --start-now 'Start the service right away (the default)'
            cand --no-start-now 'Install without starting it'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;gateway;uninstall'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --system 'Target the Linux system unit (`/etc/systemd/system`, needs sudo)'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;gateway;start'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --all 'Act on the gateways of every profile'
            cand --system 'Target the Linux system unit'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;gateway;stop'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --all 'Act on the gateways of every profile'
            cand --system 'Target the Linux system unit'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;gateway;restart'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --all 'Act on the gateways of every profile'
            cand --system 'Target the Linux system unit'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;gateway;status'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --deep 'Also show the service manager''s view, recent starts and the last output lines'
            cand --system 'Look at the system unit'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;gateway;list'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;gateway;__supervise'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;gateway;setup'= {
            cand --platform 'Configure this platform (repeatable): telegram, discord, slack, matrix, email, homeassistant, webhook, weixin'
            cand --secret-stdin 'Read this platform secret (e.g. `TELEGRAM_BOT_TOKEN`) from standard input (repeatable: one line each, in order, after the --api-key-stdin line)'
            cand --telegram-bot-token-env 'Read TELEGRAM_BOT_TOKEN from this environment variable (or use --secret-stdin TELEGRAM_BOT_TOKEN)'
            cand --telegram-dm-policy 'How should direct messages be authorized? (TELEGRAM_DM_POLICY)'
            cand --telegram-allowed-users 'Allowed Telegram user IDs (comma-separated) (TELEGRAM_ALLOWED_USERS)'
            cand --telegram-group-policy 'How should group chats be handled? (TELEGRAM_GROUP_POLICY)'
            cand --telegram-group-allowed-chats 'Allowed group chat IDs (comma-separated) (TELEGRAM_GROUP_ALLOWED_CHATS)'
            cand --telegram-home-channel 'Home channel (chat id for cron results and notices, optional) (TELEGRAM_HOME_CHANNEL)'
            cand --discord-bot-token-env 'Read DISCORD_BOT_TOKEN from this environment variable (or use --secret-stdin DISCORD_BOT_TOKEN)'
            cand --discord-dm-policy 'How should direct messages be authorized? (DISCORD_DM_POLICY)'
            cand --discord-allowed-users 'Allowed Discord user IDs (comma-separated) (DISCORD_ALLOWED_USERS)'
            cand --discord-group-policy 'How should server channels be handled? (DISCORD_GROUP_POLICY)'
            cand --discord-group-allowed-chats 'Allowed channel IDs (comma-separated) (DISCORD_GROUP_ALLOWED_CHATS)'
            cand --discord-home-channel 'Home channel ID (for cron results and notices, optional) (DISCORD_HOME_CHANNEL)'
            cand --slack-bot-token-env 'Read SLACK_BOT_TOKEN from this environment variable (or use --secret-stdin SLACK_BOT_TOKEN)'
            cand --slack-app-token-env 'Read SLACK_APP_TOKEN from this environment variable (or use --secret-stdin SLACK_APP_TOKEN)'
            cand --slack-dm-policy 'How should direct messages be authorized? (SLACK_DM_POLICY)'
            cand --slack-allowed-users 'Allowed Slack member IDs (comma-separated) (SLACK_ALLOWED_USERS)'
            cand --slack-group-policy 'How should channels be handled? (SLACK_GROUP_POLICY)'
            cand --slack-group-allowed-chats 'Allowed channel IDs (comma-separated) (SLACK_GROUP_ALLOWED_CHATS)'
            cand --slack-home-channel 'Home channel ID (for cron results and notices, optional) (SLACK_HOME_CHANNEL)'
            cand --matrix-homeserver 'Homeserver URL (MATRIX_HOMESERVER)'
            cand --matrix-user-id 'Bot user ID (MATRIX_USER_ID)'
            cand --matrix-access-token-env 'Read MATRIX_ACCESS_TOKEN from this environment variable (or use --secret-stdin MATRIX_ACCESS_TOKEN)'
            cand --matrix-password-env 'Read MATRIX_PASSWORD from this environment variable (or use --secret-stdin MATRIX_PASSWORD)'
            cand --matrix-dm-policy 'How should direct messages be authorized? (MATRIX_DM_POLICY)'
            cand --matrix-allowed-users 'Allowed Matrix user IDs (comma-separated) (MATRIX_ALLOWED_USERS)'
            cand --matrix-group-policy 'How should rooms be handled? (MATRIX_GROUP_POLICY)'
            cand --matrix-group-allowed-chats 'Allowed room IDs (comma-separated) (MATRIX_GROUP_ALLOWED_CHATS)'
            cand --matrix-home-channel 'Home room ID (for cron results and notices, optional) (MATRIX_HOME_CHANNEL)'
            cand --email-address 'Email address of the agent (EMAIL_ADDRESS)'
            cand --email-password-env 'Read EMAIL_PASSWORD from this environment variable (or use --secret-stdin EMAIL_PASSWORD)'
            cand --email-imap-host 'IMAP server (EMAIL_IMAP_HOST)'
            cand --email-imap-port 'IMAP port (EMAIL_IMAP_PORT)'
            cand --email-smtp-host 'SMTP server (EMAIL_SMTP_HOST)'
            cand --email-smtp-port 'SMTP port (EMAIL_SMTP_PORT)'
            cand --email-dm-policy 'Who may email the agent? (EMAIL_DM_POLICY)'
            cand --email-allowed-users 'Allowed sender addresses (comma-separated) (EMAIL_ALLOWED_USERS)'
            cand --email-home-address 'Home address (where cron results are mailed, optional) (EMAIL_HOME_ADDRESS)'
            cand --hass-url 'Home Assistant URL (HASS_URL)'
            cand --hass-token-env 'Read HASS_TOKEN from this environment variable (or use --secret-stdin HASS_TOKEN)'
            cand --webhook-port 'Port to listen on (WEBHOOK_PORT)'
            cand --webhook-secret-env 'Read WEBHOOK_SECRET from this environment variable (or use --secret-stdin WEBHOOK_SECRET)'
            cand --weixin-account-id 'Set WEIXIN_ACCOUNT_ID'
            cand --weixin-base-url 'Set WEIXIN_BASE_URL'
            cand --weixin-cdn-base-url 'Set WEIXIN_CDN_BASE_URL'
            cand --weixin-token-env 'Read WEIXIN_TOKEN from this environment variable (or use --secret-stdin WEIXIN_TOKEN)'
            cand --weixin-dm-policy 'How should direct messages be authorized? (WEIXIN_DM_POLICY)'
            cand --weixin-allowed-users 'Allowed Weixin user IDs (comma-separated) (WEIXIN_ALLOWED_USERS)'
            cand --weixin-group-policy 'How should group chats be handled? (WEIXIN_GROUP_POLICY)'
            cand --weixin-group-allowed-users 'Allowed group chat IDs (comma-separated; group ids, not member ids) (WEIXIN_GROUP_ALLOWED_USERS)'
            cand --weixin-home-channel 'Use your Weixin user ID ({user_id}) as the home channel? (WEIXIN_HOME_CHANNEL)'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --non-interactive 'Never prompt: take every answer from flags and environment variables'
            cand --no-validate 'Skip the live checks (token checks, the one-token model request)'
            cand --start 'Start the gateway without asking (restart it when it is running)'
            cand --restart 'Start the gateway without asking (restart it when it is running)'
            cand --install-service 'Install the gateway as a service and start it, without asking (restart it when it is running)'
            cand --no-start 'Do not start, restart or install the gateway; only say how'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;gateway;help'= {
            cand run 'Run the gateway in the foreground (what services and containers run)'
            cand install 'Install the gateway as a service (systemd unit or launchd agent) that starts at boot'
            cand uninstall 'Remove the gateway service'
            cand start 'Start the gateway in the background (the service, or a detached supervisor)'
            cand stop 'Stop the gateway (SIGTERM; it drains and tells busy chats)'
            cand restart 'Restart the gateway (picks up `.env` and `config.yaml` changes)'
            cand status 'Show whether this profile''s gateway runs: PID, uptime, platforms, runs, service'
            cand list 'Show every profile''s gateway in one table'
            cand __supervise 'Run and restart the gateway in the background (used by `gateway start`)'
            cand setup 'Configure messaging platforms (arrow keys, or a flag per answer)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;gateway;help;run'= {
        }
        &'hermes;gateway;help;install'= {
        }
        &'hermes;gateway;help;uninstall'= {
        }
        &'hermes;gateway;help;start'= {
        }
        &'hermes;gateway;help;stop'= {
        }
        &'hermes;gateway;help;restart'= {
        }
        &'hermes;gateway;help;status'= {
        }
        &'hermes;gateway;help;list'= {
        }
        &'hermes;gateway;help;__supervise'= {
        }
        &'hermes;gateway;help;setup'= {
        }
        &'hermes;gateway;help;help'= {
        }
        &'hermes;logs'= {
            cand -n 'How many records to show'
            cand --lines 'How many records to show'
            cand --level 'Minimum level: DEBUG, INFO, WARNING, ERROR, CRITICAL'
            cand --since 'Only records from the last TIME (e.g. 30m, 1h, 2d)'
            cand --session 'Only records mentioning this session id (substring)'
            cand --component 'Only one component: gateway, agent, tools, cli, cron, gui, api'
            cand --platform 'Only records about one platform (telegram, weixin, …)'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand -f 'Keep printing new records (Ctrl+C to stop); survives log rotation'
            cand --follow 'Keep printing new records (Ctrl+C to stop); survives log rotation'
            cand --json 'One JSON object per record'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;pairing'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List pending requests and approved users (codes are never shown)'
            cand approve 'Approve a pending request by its code or request id, or by the user''s id'
            cand revoke 'Revoke a user''s access (also removes them from `<PLATFORM>_ALLOWED_USERS` in `.env`)'
            cand clear-pending 'Drop every pending request'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;pairing;list'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;pairing;approve'= {
            cand --user 'Approve the pending request of this user id instead'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;pairing;revoke'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;pairing;clear-pending'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;pairing;help'= {
            cand list 'List pending requests and approved users (codes are never shown)'
            cand approve 'Approve a pending request by its code or request id, or by the user''s id'
            cand revoke 'Revoke a user''s access (also removes them from `<PLATFORM>_ALLOWED_USERS` in `.env`)'
            cand clear-pending 'Drop every pending request'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;pairing;help;list'= {
        }
        &'hermes;pairing;help;approve'= {
        }
        &'hermes;pairing;help;revoke'= {
        }
        &'hermes;pairing;help;clear-pending'= {
        }
        &'hermes;pairing;help;help'= {
        }
        &'hermes;cron'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List scheduled jobs'
            cand create 'Create a scheduled job'
            cand add 'Create a scheduled job'
            cand edit 'Edit an existing scheduled job'
            cand pause 'Pause a scheduled job'
            cand resume 'Resume a paused job'
            cand run 'Run a job on the next scheduler tick'
            cand remove 'Remove a scheduled job'
            cand rm 'Remove a scheduled job'
            cand delete 'Remove a scheduled job'
            cand status 'Check if the cron scheduler is running'
            cand runs 'Show recorded runs, newest first'
            cand history 'Show recorded runs, newest first'
            cand tick 'Run due jobs once and exit'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;cron;list'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --all 'Include paused and completed jobs'
            cand --json 'Print the job records as JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;create'= {
            cand --name 'Optional human-friendly job name'
            cand --deliver 'Delivery target: `local`, `telegram` (its home channel), `platform:chat_id[:thread_id]`, `all`; comma-separated for several'
            cand --failure-deliver 'Where to report failures of a job that delivers locally'
            cand --repeat 'How many times to run (default: once for one-shots, forever otherwise)'
            cand --skill 'Attach a skill. Repeat to add multiple skills'
            cand --script 'Path to a script under the profile''s `scripts/` directory'
            cand --workdir 'Absolute path for the job to run from'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --no-agent 'Skip the agent: run `--script` on schedule and deliver its stdout. Empty stdout = silent'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;add'= {
            cand --name 'Optional human-friendly job name'
            cand --deliver 'Delivery target: `local`, `telegram` (its home channel), `platform:chat_id[:thread_id]`, `all`; comma-separated for several'
            cand --failure-deliver 'Where to report failures of a job that delivers locally'
            cand --repeat 'How many times to run (default: once for one-shots, forever otherwise)'
            cand --skill 'Attach a skill. Repeat to add multiple skills'
            cand --script 'Path to a script under the profile''s `scripts/` directory'
            cand --workdir 'Absolute path for the job to run from'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --no-agent 'Skip the agent: run `--script` on schedule and deliver its stdout. Empty stdout = silent'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;edit'= {
            cand --schedule 'New schedule'
            cand --prompt 'New prompt'
            cand --name 'New name'
            cand --deliver 'New delivery target'
            cand --repeat 'New repeat count (0: forever)'
            cand --skill 'Replace the skills with these. Repeat to add multiple skills'
            cand --add-skill 'Add a skill to the existing ones'
            cand --remove-skill 'Remove a skill'
            cand --script 'New script (empty to clear)'
            cand --workdir 'New working directory (empty to clear)'
            cand --failure-deliver 'New failure target (empty to clear)'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --clear-skills 'Remove every skill'
            cand --no-agent 'Skip the agent: run the job''s script and deliver its stdout'
            cand --agent 'Run the agent again (undoes `--no-agent`)'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;pause'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;resume'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;run'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;remove'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;rm'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;delete'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;status'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;runs'= {
            cand --limit 'How many runs to show'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print runs as JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;history'= {
            cand --limit 'How many runs to show'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print runs as JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;tick'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;cron;help'= {
            cand list 'List scheduled jobs'
            cand create 'Create a scheduled job'
            cand edit 'Edit an existing scheduled job'
            cand pause 'Pause a scheduled job'
            cand resume 'Resume a paused job'
            cand run 'Run a job on the next scheduler tick'
            cand remove 'Remove a scheduled job'
            cand status 'Check if the cron scheduler is running'
            cand runs 'Show recorded runs, newest first'
            cand tick 'Run due jobs once and exit'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;cron;help;list'= {
        }
        &'hermes;cron;help;create'= {
        }
        &'hermes;cron;help;edit'= {
        }
        &'hermes;cron;help;pause'= {
        }
        &'hermes;cron;help;resume'= {
        }
        &'hermes;cron;help;run'= {
        }
        &'hermes;cron;help;remove'= {
        }
        &'hermes;cron;help;status'= {
        }
        &'hermes;cron;help;runs'= {
        }
        &'hermes;cron;help;tick'= {
        }
        &'hermes;cron;help;help'= {
        }
        &'hermes;completion'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;sessions'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List recent sessions, newest first'
            cand show 'Print a session''s transcript'
            cand export 'Export a session as JSON Lines (upstream''s format) or Markdown'
            cand rename 'Set or change a session''s title'
            cand delete 'Delete a session and all its messages'
            cand prune 'Delete ended sessions that started more than DAYS ago'
            cand stats 'Show session and message counts and the database size'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;sessions;list'= {
            cand --limit 'Show at most this many'
            cand --platform 'Only sessions from this platform (`telegram`, `cli`, …)'
            cand --source 'Only sessions from this platform (`telegram`, `cli`, …)'
            cand --search 'Only sessions whose title contains this text'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;sessions;show'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;sessions;export'= {
            cand --format 'The format'
            cand -o 'Write to this file (mode 0600) instead of stdout'
            cand --output 'Write to this file (mode 0600) instead of stdout'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;sessions;rename'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;sessions;delete'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;sessions;prune'= {
            cand --older-than 'Age in days (`90`), or with a unit: `36h`, `2d`, `1w`'
            cand --platform 'Only sessions from this platform'
            cand --source 'Only sessions from this platform'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --dry-run 'List what would be deleted, delete nothing'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;sessions;stats'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;sessions;help'= {
            cand list 'List recent sessions, newest first'
            cand show 'Print a session''s transcript'
            cand export 'Export a session as JSON Lines (upstream''s format) or Markdown'
            cand rename 'Set or change a session''s title'
            cand delete 'Delete a session and all its messages'
            cand prune 'Delete ended sessions that started more than DAYS ago'
            cand stats 'Show session and message counts and the database size'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;sessions;help;list'= {
        }
        &'hermes;sessions;help;show'= {
        }
        &'hermes;sessions;help;export'= {
        }
        &'hermes;sessions;help;rename'= {
        }
        &'hermes;sessions;help;delete'= {
        }
        &'hermes;sessions;help;prune'= {
        }
        &'hermes;sessions;help;stats'= {
        }
        &'hermes;sessions;help;help'= {
        }
        &'hermes;send'= {
            cand -t 'Where: `telegram` (its home channel), `telegram:<chat_id>[:<thread_id>]`, `all`, or a comma-separated list'
            cand --to 'Where: `telegram` (its home channel), `telegram:<chat_id>[:<thread_id>]`, `all`, or a comma-separated list'
            cand -f 'Read the text from a file (`-` for standard input)'
            cand --file 'Read the text from a file (`-` for standard input)'
            cand -s 'A subject (email); other platforms show it as a bold first line'
            cand --subject 'A subject (email); other platforms show it as a bold first line'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand -l 'List the platforms you can send to and their home channels (optionally one platform)'
            cand --list 'List the platforms you can send to and their home channels (optionally one platform)'
            cand -q 'Print nothing on success (the exit code says it went out); errors still print'
            cand --json 'Print the result as JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;runs'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List runs, newest first'
            cand show 'Show one run, with its text, reply and last error'
            cand approve 'Release a run held for review; the gateway runs it next'
            cand discard 'Drop a queued, held or retrying run without running it'
            cand retry 'Queue a failed or retrying run again, now'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;runs;list'= {
            cand --state 'Only runs in this state'
            cand --limit 'Show at most this many'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;runs;show'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;runs;approve'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;runs;discard'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;runs;retry'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;runs;help'= {
            cand list 'List runs, newest first'
            cand show 'Show one run, with its text, reply and last error'
            cand approve 'Release a run held for review; the gateway runs it next'
            cand discard 'Drop a queued, held or retrying run without running it'
            cand retry 'Queue a failed or retrying run again, now'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;runs;help;list'= {
        }
        &'hermes;runs;help;show'= {
        }
        &'hermes;runs;help;approve'= {
        }
        &'hermes;runs;help;discard'= {
        }
        &'hermes;runs;help;retry'= {
        }
        &'hermes;runs;help;help'= {
        }
        &'hermes;setup'= {
            cand --provider 'The model provider: openrouter, openai, anthropic, nous or custom'
            cand --model 'The model id (e.g. `anthropic/claude-sonnet-4.6`)'
            cand --base-url 'The endpoint of a custom OpenAI-compatible server (e.g. `http://127.0.0.1:11434/v1`)'
            cand --api-key-env 'Read the API key from this environment variable'
            cand --soul-file 'Use this file as the agent''s SOUL.md'
            cand --toolsets 'The toolsets the agent may use, comma-separated (e.g. `terminal,file,web`)'
            cand --platform 'Configure this platform (repeatable): telegram, discord, slack, matrix, email, homeassistant, webhook, weixin'
            cand --secret-stdin 'Read this platform secret (e.g. `TELEGRAM_BOT_TOKEN`) from standard input (repeatable: one line each, in order, after the --api-key-stdin line)'
            cand --telegram-bot-token-env 'Read TELEGRAM_BOT_TOKEN from this environment variable (or use --secret-stdin TELEGRAM_BOT_TOKEN)'
            cand --telegram-dm-policy 'How should direct messages be authorized? (TELEGRAM_DM_POLICY)'
            cand --telegram-allowed-users 'Allowed Telegram user IDs (comma-separated) (TELEGRAM_ALLOWED_USERS)'
            cand --telegram-group-policy 'How should group chats be handled? (TELEGRAM_GROUP_POLICY)'
            cand --telegram-group-allowed-chats 'Allowed group chat IDs (comma-separated) (TELEGRAM_GROUP_ALLOWED_CHATS)'
            cand --telegram-home-channel 'Home channel (chat id for cron results and notices, optional) (TELEGRAM_HOME_CHANNEL)'
            cand --discord-bot-token-env 'Read DISCORD_BOT_TOKEN from this environment variable (or use --secret-stdin DISCORD_BOT_TOKEN)'
            cand --discord-dm-policy 'How should direct messages be authorized? (DISCORD_DM_POLICY)'
            cand --discord-allowed-users 'Allowed Discord user IDs (comma-separated) (DISCORD_ALLOWED_USERS)'
            cand --discord-group-policy 'How should server channels be handled? (DISCORD_GROUP_POLICY)'
            cand --discord-group-allowed-chats 'Allowed channel IDs (comma-separated) (DISCORD_GROUP_ALLOWED_CHATS)'
            cand --discord-home-channel 'Home channel ID (for cron results and notices, optional) (DISCORD_HOME_CHANNEL)'
            cand --slack-bot-token-env 'Read SLACK_BOT_TOKEN from this environment variable (or use --secret-stdin SLACK_BOT_TOKEN)'
            cand --slack-app-token-env 'Read SLACK_APP_TOKEN from this environment variable (or use --secret-stdin SLACK_APP_TOKEN)'
            cand --slack-dm-policy 'How should direct messages be authorized? (SLACK_DM_POLICY)'
            cand --slack-allowed-users 'Allowed Slack member IDs (comma-separated) (SLACK_ALLOWED_USERS)'
            cand --slack-group-policy 'How should channels be handled? (SLACK_GROUP_POLICY)'
            cand --slack-group-allowed-chats 'Allowed channel IDs (comma-separated) (SLACK_GROUP_ALLOWED_CHATS)'
            cand --slack-home-channel 'Home channel ID (for cron results and notices, optional) (SLACK_HOME_CHANNEL)'
            cand --matrix-homeserver 'Homeserver URL (MATRIX_HOMESERVER)'
            cand --matrix-user-id 'Bot user ID (MATRIX_USER_ID)'
            cand --matrix-access-token-env 'Read MATRIX_ACCESS_TOKEN from this environment variable (or use --secret-stdin MATRIX_ACCESS_TOKEN)'
            cand --matrix-password-env 'Read MATRIX_PASSWORD from this environment variable (or use --secret-stdin MATRIX_PASSWORD)'
            cand --matrix-dm-policy 'How should direct messages be authorized? (MATRIX_DM_POLICY)'
            cand --matrix-allowed-users 'Allowed Matrix user IDs (comma-separated) (MATRIX_ALLOWED_USERS)'
            cand --matrix-group-policy 'How should rooms be handled? (MATRIX_GROUP_POLICY)'
            cand --matrix-group-allowed-chats 'Allowed room IDs (comma-separated) (MATRIX_GROUP_ALLOWED_CHATS)'
            cand --matrix-home-channel 'Home room ID (for cron results and notices, optional) (MATRIX_HOME_CHANNEL)'
            cand --email-address 'Email address of the agent (EMAIL_ADDRESS)'
            cand --email-password-env 'Read EMAIL_PASSWORD from this environment variable (or use --secret-stdin EMAIL_PASSWORD)'
            cand --email-imap-host 'IMAP server (EMAIL_IMAP_HOST)'
            cand --email-imap-port 'IMAP port (EMAIL_IMAP_PORT)'
            cand --email-smtp-host 'SMTP server (EMAIL_SMTP_HOST)'
            cand --email-smtp-port 'SMTP port (EMAIL_SMTP_PORT)'
            cand --email-dm-policy 'Who may email the agent? (EMAIL_DM_POLICY)'
            cand --email-allowed-users 'Allowed sender addresses (comma-separated) (EMAIL_ALLOWED_USERS)'
            cand --email-home-address 'Home address (where cron results are mailed, optional) (EMAIL_HOME_ADDRESS)'
            cand --hass-url 'Home Assistant URL (HASS_URL)'
            cand --hass-token-env 'Read HASS_TOKEN from this environment variable (or use --secret-stdin HASS_TOKEN)'
            cand --webhook-port 'Port to listen on (WEBHOOK_PORT)'
            cand --webhook-secret-env 'Read WEBHOOK_SECRET from this environment variable (or use --secret-stdin WEBHOOK_SECRET)'
            cand --weixin-account-id 'Set WEIXIN_ACCOUNT_ID'
            cand --weixin-base-url 'Set WEIXIN_BASE_URL'
            cand --weixin-cdn-base-url 'Set WEIXIN_CDN_BASE_URL'
            cand --weixin-token-env 'Read WEIXIN_TOKEN from this environment variable (or use --secret-stdin WEIXIN_TOKEN)'
            cand --weixin-dm-policy 'How should direct messages be authorized? (WEIXIN_DM_POLICY)'
            cand --weixin-allowed-users 'Allowed Weixin user IDs (comma-separated) (WEIXIN_ALLOWED_USERS)'
            cand --weixin-group-policy 'How should group chats be handled? (WEIXIN_GROUP_POLICY)'
            cand --weixin-group-allowed-users 'Allowed group chat IDs (comma-separated; group ids, not member ids) (WEIXIN_GROUP_ALLOWED_USERS)'
            cand --weixin-home-channel 'Use your Weixin user ID ({user_id}) as the home channel? (WEIXIN_HOME_CHANNEL)'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --non-interactive 'Never prompt: take every answer from flags and environment variables'
            cand --no-validate 'Skip the live checks (token checks, the one-token model request)'
            cand --reset 'Start from the built-in defaults instead of the current settings (asks first)'
            cand --quick 'Ask only about what is not configured yet'
            cand --api-key-stdin 'Read the API key from standard input (one line)'
            cand --no-keychain 'Keep the API key in .env, not in the OS keychain (or set `HERMES_NO_KEYCHAIN=1`)'
            cand --start 'Start the gateway without asking (restart it when it is running)'
            cand --restart 'Start the gateway without asking (restart it when it is running)'
            cand --install-service 'Install the gateway as a service and start it, without asking (restart it when it is running)'
            cand --no-start 'Do not start, restart or install the gateway; only say how'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;model'= {
            cand --provider 'The model provider: openrouter, openai, anthropic, nous or custom'
            cand --model 'The model id (e.g. `anthropic/claude-sonnet-4.6`)'
            cand --base-url 'The endpoint of a custom OpenAI-compatible server (e.g. `http://127.0.0.1:11434/v1`)'
            cand --api-key-env 'Read the API key from this environment variable'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --non-interactive 'Never prompt: take every answer from flags and environment variables'
            cand --no-validate 'Skip the live checks (token checks, the one-token model request)'
            cand --api-key-stdin 'Read the API key from standard input (one line)'
            cand --no-keychain 'Keep the API key in .env, not in the OS keychain (or set `HERMES_NO_KEYCHAIN=1`)'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;status'= {
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --all 'Shareable: no key fragments, no chat ids, paths with `~` (for bug reports)'
            cand --deep 'Probe the provider and platforms over the network (short timeouts)'
            cand --json 'Print JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;doctor'= {
            cand --timeout 'Seconds each network probe may take'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --fix 'Repair what is safe to repair (permissions, missing directories, stale pid files, outdated service files) and say what was done'
            cand --json 'Print the findings as JSON'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;update'= {
            cand --from-file 'Install a downloaded release (`.tar.gz` or the binary) without the network; its signature `FILE.sig` beside it is required and verified (and `FILE.sha256`, if there)'
            cand -p 'Use this profile for this command only (accepted anywhere on the line)'
            cand --profile 'Use this profile for this command only (accepted anywhere on the line)'
            cand --color 'When to use colour'
            cand --check 'Only say whether a newer release exists'
            cand --allow-unsigned 'With --from-file: install even when no `FILE.sig` is beside it (a build of your own). A signature that is there but does not match is still refused'
            cand -y 'Do not ask before installing'
            cand --yes 'Do not ask before installing'
            cand --sync-skills 'Sync bundled skills into every profile and exit (run by the new binary after an update)'
            cand --quiet 'Print less: no status lines, only data and errors'
            cand --no-input 'Never prompt; fail with the flag to pass instead'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'hermes;help'= {
            cand chat 'Talk to the agent in the terminal, or ask one question with `-q`'
            cand profile 'Create, switch and manage profiles (separate agents with their own tokens and memory)'
            cand config 'Show and change configuration (`config.yaml` and `.env`)'
            cand gateway 'Run and manage the messaging gateway'
            cand logs 'View, follow and filter the logs'
            cand pairing 'Approve or revoke users who asked to talk to the agent (DM pairing)'
            cand cron 'Manage scheduled tasks (cron jobs)'
            cand completion 'Print a shell completion script'
            cand sessions 'Browse, export and clean up conversation history (`state.db`)'
            cand send 'Send a message to a chat without the agent (the same delivery as cron)'
            cand runs 'Inspect queued, held and failed runs (messages waiting for an agent turn)'
            cand setup 'Set up the model, the agent and messaging platforms (arrow keys, or flags)'
            cand model 'Choose the model provider, its API key and the model'
            cand status 'Show the setup at a glance: model, keys, platforms, gateway, cron'
            cand doctor 'Check the setup and fix what is safe to fix'
            cand update 'Update hermes to the latest release (verified), then restart running gateways'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hermes;help;chat'= {
        }
        &'hermes;help;profile'= {
            cand list 'List every profile: active marker, model, gateway state and alias'
            cand use 'Make a profile the sticky default (`default` goes back to ~/.hermes)'
            cand create 'Create a new profile'
            cand show 'Show one profile''s details'
            cand delete 'Delete a profile: stop its gateway, remove its service, alias and directory'
            cand rename 'Rename a profile (directory, alias, sticky default, session keys)'
            cand alias 'Create or remove the wrapper command (`~/.local/bin/<alias>`) for a profile'
            cand export 'Export a profile to a .tar.gz (never includes .env or auth.json)'
            cand import 'Import a profile from an archive made by `profile export`'
        }
        &'hermes;help;profile;list'= {
        }
        &'hermes;help;profile;use'= {
        }
        &'hermes;help;profile;create'= {
        }
        &'hermes;help;profile;show'= {
        }
        &'hermes;help;profile;delete'= {
        }
        &'hermes;help;profile;rename'= {
        }
        &'hermes;help;profile;alias'= {
        }
        &'hermes;help;profile;export'= {
        }
        &'hermes;help;profile;import'= {
        }
        &'hermes;help;config'= {
            cand show 'Print the effective configuration (defaults merged with config.yaml; secrets masked)'
            cand get 'Print the resolved value of a key (dotted for config.yaml, e.g. `model.default`)'
            cand set 'Set a value: secrets (`*_API_KEY`, `*_TOKEN`, env-style names) go to .env, the rest to config.yaml'
            cand unset 'Remove a key (its built-in default applies again)'
            cand path 'Print the path of config.yaml'
            cand env-path 'Print the path of .env'
            cand edit 'Open config.yaml in $VISUAL or $EDITOR (or nano, vim, vi), then check it'
            cand check 'Check config.yaml and .env: syntax, keys this version does not use, file modes'
        }
        &'hermes;help;config;show'= {
        }
        &'hermes;help;config;get'= {
        }
        &'hermes;help;config;set'= {
        }
        &'hermes;help;config;unset'= {
        }
        &'hermes;help;config;path'= {
        }
        &'hermes;help;config;env-path'= {
        }
        &'hermes;help;config;edit'= {
        }
        &'hermes;help;config;check'= {
        }
        &'hermes;help;gateway'= {
            cand run 'Run the gateway in the foreground (what services and containers run)'
            cand install 'Install the gateway as a service (systemd unit or launchd agent) that starts at boot'
            cand uninstall 'Remove the gateway service'
            cand start 'Start the gateway in the background (the service, or a detached supervisor)'
            cand stop 'Stop the gateway (SIGTERM; it drains and tells busy chats)'
            cand restart 'Restart the gateway (picks up `.env` and `config.yaml` changes)'
            cand status 'Show whether this profile''s gateway runs: PID, uptime, platforms, runs, service'
            cand list 'Show every profile''s gateway in one table'
            cand __supervise 'Run and restart the gateway in the background (used by `gateway start`)'
            cand setup 'Configure messaging platforms (arrow keys, or a flag per answer)'
        }
        &'hermes;help;gateway;run'= {
        }
        &'hermes;help;gateway;install'= {
        }
        &'hermes;help;gateway;uninstall'= {
        }
        &'hermes;help;gateway;start'= {
        }
        &'hermes;help;gateway;stop'= {
        }
        &'hermes;help;gateway;restart'= {
        }
        &'hermes;help;gateway;status'= {
        }
        &'hermes;help;gateway;list'= {
        }
        &'hermes;help;gateway;__supervise'= {
        }
        &'hermes;help;gateway;setup'= {
        }
        &'hermes;help;logs'= {
        }
        &'hermes;help;pairing'= {
            cand list 'List pending requests and approved users (codes are never shown)'
            cand approve 'Approve a pending request by its code or request id, or by the user''s id'
            cand revoke 'Revoke a user''s access (also removes them from `<PLATFORM>_ALLOWED_USERS` in `.env`)'
            cand clear-pending 'Drop every pending request'
        }
        &'hermes;help;pairing;list'= {
        }
        &'hermes;help;pairing;approve'= {
        }
        &'hermes;help;pairing;revoke'= {
        }
        &'hermes;help;pairing;clear-pending'= {
        }
        &'hermes;help;cron'= {
            cand list 'List scheduled jobs'
            cand create 'Create a scheduled job'
            cand edit 'Edit an existing scheduled job'
            cand pause 'Pause a scheduled job'
            cand resume 'Resume a paused job'
            cand run 'Run a job on the next scheduler tick'
            cand remove 'Remove a scheduled job'
            cand status 'Check if the cron scheduler is running'
            cand runs 'Show recorded runs, newest first'
            cand tick 'Run due jobs once and exit'
        }
        &'hermes;help;cron;list'= {
        }
        &'hermes;help;cron;create'= {
        }
        &'hermes;help;cron;edit'= {
        }
        &'hermes;help;cron;pause'= {
        }
        &'hermes;help;cron;resume'= {
        }
        &'hermes;help;cron;run'= {
        }
        &'hermes;help;cron;remove'= {
        }
        &'hermes;help;cron;status'= {
        }
        &'hermes;help;cron;runs'= {
        }
        &'hermes;help;cron;tick'= {
        }
        &'hermes;help;completion'= {
        }
        &'hermes;help;sessions'= {
            cand list 'List recent sessions, newest first'
            cand show 'Print a session''s transcript'
            cand export 'Export a session as JSON Lines (upstream''s format) or Markdown'
            cand rename 'Set or change a session''s title'
            cand delete 'Delete a session and all its messages'
            cand prune 'Delete ended sessions that started more than DAYS ago'
            cand stats 'Show session and message counts and the database size'
        }
        &'hermes;help;sessions;list'= {
        }
        &'hermes;help;sessions;show'= {
        }
        &'hermes;help;sessions;export'= {
        }
        &'hermes;help;sessions;rename'= {
        }
        &'hermes;help;sessions;delete'= {
        }
        &'hermes;help;sessions;prune'= {
        }
        &'hermes;help;sessions;stats'= {
        }
        &'hermes;help;send'= {
        }
        &'hermes;help;runs'= {
            cand list 'List runs, newest first'
            cand show 'Show one run, with its text, reply and last error'
            cand approve 'Release a run held for review; the gateway runs it next'
            cand discard 'Drop a queued, held or retrying run without running it'
            cand retry 'Queue a failed or retrying run again, now'
        }
        &'hermes;help;runs;list'= {
        }
        &'hermes;help;runs;show'= {
        }
        &'hermes;help;runs;approve'= {
        }
        &'hermes;help;runs;discard'= {
        }
        &'hermes;help;runs;retry'= {
        }
        &'hermes;help;setup'= {
        }
        &'hermes;help;model'= {
        }
        &'hermes;help;status'= {
        }
        &'hermes;help;doctor'= {
        }
        &'hermes;help;update'= {
        }
        &'hermes;help;help'= {
        }
    ]
    $completions[$command]
}

set edit:completion:arg-completer[hermes] = {|@words|
    var before = $words[1..-1]
    var wants = $false
    if (and (> (count $before) 0) (has-value ['-p' '--profile'] $before[-1])) {
        set wants = $true
    } elif (not (str:has-prefix $words[-1] '-')) {
        var rest = []
        var skip = $false
        for w $before {
            if $skip {
                set skip = $false
            } elif (has-value ['-p' '--profile' '--color' '-o' '--output' '--name'] $w) {
                set skip = $true
            } elif (not (str:has-prefix $w '-')) {
                set rest = [$@rest $w]
            }
        }
        if (and (== (count $rest) 2) (==s $rest[0] 'profile') (has-value ['use' 'show' 'delete' 'rename' 'alias' 'export'] $rest[1])) {
            set wants = $true
        }
    }
    if $wants {
        var root = $E:HOME/.hermes
        if (!=s $E:HERMES_HOME '') {
            set root = $E:HERMES_HOME
        }
        set root = (re:replace '/profiles/.*$' '' $root)
        put default
        for d [(put $root/profiles/*[nomatch-ok][type:dir])] {
            path:base $d
        }
    } else {
        try {
            $hermes-clap-completer $@words
        } catch {
        }
    }
}
