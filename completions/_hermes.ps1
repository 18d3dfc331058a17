
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'hermes' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $hermesBefore = @($commandAst.CommandElements |
        Where-Object { $_.Extent.EndOffset -lt $cursorPosition } |
        ForEach-Object { $_.ToString() } | Select-Object -Skip 1)
    $hermesWants = $false
    if ($hermesBefore.Count -gt 0 -and @('-p', '--profile') -contains $hermesBefore[-1]) {
        $hermesWants = $true
    } elseif (-not $wordToComplete.StartsWith('-')) {
        $hermesRest = @()
        $hermesSkip = $false
        foreach ($w in $hermesBefore) {
            if ($hermesSkip) { $hermesSkip = $false }
            elseif (@('-p', '--profile', '--color', '-o', '--output', '--name') -contains $w) { $hermesSkip = $true }
            elseif (-not $w.StartsWith('-')) { $hermesRest += $w }
        }
        $hermesWants = $hermesRest.Count -eq 2 -and $hermesRest[0] -eq 'profile' -and @('use', 'show', 'delete', 'rename', 'alias', 'export') -contains $hermesRest[1]
    }
    if ($hermesWants) {
        $hermesRoot = if ($env:HERMES_HOME) { $env:HERMES_HOME } else { Join-Path $HOME '.hermes' }
        $hermesRoot = $hermesRoot -replace '[/\\]profiles[/\\].*$', ''
        $hermesNames = @('default') + @(Get-ChildItem -Directory -Path (Join-Path $hermesRoot 'profiles') -ErrorAction SilentlyContinue |
            Where-Object { -not $_.Name.StartsWith('.') } | ForEach-Object { $_.Name })
        return $hermesNames | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
            [System.Management.Automation.CompletionResult]::new($_, $_, [System.Management.Automation.CompletionResultType]::ParameterValue, $_)
        }
    }

    $commandElements = $commandAst.CommandElements
    $command = @(
        'hermes'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'hermes' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Talk to the agent in the terminal, or ask one question with `-q`')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Create, switch and manage profiles (separate agents with their own tokens and memory)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show and change configuration (`config.yaml` and `.env`)')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Run and manage the messaging gateway')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'View, follow and filter the logs')
            [CompletionResult]::new('pairing', 'pairing', [CompletionResultType]::ParameterValue, 'Approve or revoke users who asked to talk to the agent (DM pairing)')
            [CompletionResult]::new('cron', 'cron', [CompletionResultType]::ParameterValue, 'Manage scheduled tasks (cron jobs)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'Browse, export and clean up conversation history (`state.db`)')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a message to a chat without the agent (the same delivery as cron)')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'Inspect queued, held and failed runs (messages waiting for an agent turn)')
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Set up the model, the agent and messaging platforms (arrow keys, or flags)')
            [CompletionResult]::new('model', 'model', [CompletionResultType]::ParameterValue, 'Choose the model provider, its API key and the model')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the setup at a glance: model, keys, platforms, gateway, cron')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the setup and fix what is safe to fix')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update hermes to the latest release (verified), then restart running gateways')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;chat' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Ask one question, print only the answer on stdout, and exit')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'Ask one question, print only the answer on stdout, and exit')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Use this model for this run')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'Use this model for this run')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Use this provider for this run (`openrouter`, `anthropic`, `openai`, `custom`, …)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Resume a session by id (or unique prefix), or `latest`')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Resume a session by id (or unique prefix), or `latest`')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Continue the most recent CLI session, or the one titled NAME')
            [CompletionResult]::new('--continue', '--continue', [CompletionResultType]::ParameterName, 'Continue the most recent CLI session, or the one titled NAME')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--yolo', '--yolo', [CompletionResultType]::ParameterName, 'Run dangerous commands without asking (also `HERMES_YOLO_MODE=1`)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;profile' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every profile: active marker, model, gateway state and alias')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a profile the sticky default (`default` goes back to ~/.hermes)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a new profile')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile''s details')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a profile: stop its gateway, remove its service, alias and directory')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename a profile (directory, alias, sticky default, session keys)')
            [CompletionResult]::new('alias', 'alias', [CompletionResultType]::ParameterValue, 'Create or remove the wrapper command (`~/.local/bin/<alias>`) for a profile')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export a profile to a .tar.gz (never includes .env or auth.json)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import a profile from an archive made by `profile export`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;profile;list' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;profile;use' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;profile;create' {
            [CompletionResult]::new('--clone-from', '--clone-from', [CompletionResultType]::ParameterName, 'Profile to clone from; implies `--clone` unless `--clone-all` is given')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'One or two sentences on what this profile is for')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--clone', '--clone', [CompletionResultType]::ParameterName, 'Copy config.yaml, .env, SOUL.md, memories and skills from the active profile')
            [CompletionResult]::new('--clone-all', '--clone-all', [CompletionResultType]::ParameterName, 'Copy everything from the active profile except history and runtime state')
            [CompletionResult]::new('--clone-channels', '--clone-channels', [CompletionResultType]::ParameterName, 'Also copy messaging channel credentials (bot tokens, allowlists); two gateways cannot share a bot')
            [CompletionResult]::new('--no-alias', '--no-alias', [CompletionResultType]::ParameterName, 'Do not create the `~/.local/bin/<name>` wrapper')
            [CompletionResult]::new('--no-skills', '--no-skills', [CompletionResultType]::ParameterName, 'Do not seed the bundled skills')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;profile;show' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;profile;delete' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for the typed confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for the typed confirmation')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;profile;rename' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;profile;alias' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Wrapper name (default: the profile name)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--remove', '--remove', [CompletionResultType]::ParameterName, 'Remove the wrapper instead of creating it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;profile;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output file (default: `<name>.tar.gz`)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output file (default: `<name>.tar.gz`)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;profile;import' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name for the new profile (default: the archive''s folder name)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;profile;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every profile: active marker, model, gateway state and alias')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a profile the sticky default (`default` goes back to ~/.hermes)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a new profile')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile''s details')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a profile: stop its gateway, remove its service, alias and directory')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename a profile (directory, alias, sticky default, session keys)')
            [CompletionResult]::new('alias', 'alias', [CompletionResultType]::ParameterValue, 'Create or remove the wrapper command (`~/.local/bin/<alias>`) for a profile')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export a profile to a .tar.gz (never includes .env or auth.json)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import a profile from an archive made by `profile export`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;profile;help;list' {
            break
        }
        'hermes;profile;help;use' {
            break
        }
        'hermes;profile;help;create' {
            break
        }
        'hermes;profile;help;show' {
            break
        }
        'hermes;profile;help;delete' {
            break
        }
        'hermes;profile;help;rename' {
            break
        }
        'hermes;profile;help;alias' {
            break
        }
        'hermes;profile;help;export' {
            break
        }
        'hermes;profile;help;import' {
            break
        }
        'hermes;profile;help;help' {
            break
        }
        'hermes;config' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration (defaults merged with config.yaml; secrets masked)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print the resolved value of a key (dotted for config.yaml, e.g. `model.default`)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a value: secrets (`*_API_KEY`, `*_TOKEN`, env-style names) go to .env, the rest to config.yaml')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a key (its built-in default applies again)')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of config.yaml')
            [CompletionResult]::new('env-path', 'env-path', [CompletionResultType]::ParameterValue, 'Print the path of .env')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Open config.yaml in $VISUAL or $EDITOR (or nano, vim, vi), then check it')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check config.yaml and .env: syntax, keys this version does not use, file modes')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;config;show' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;config;get' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;config;set' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Skip the notice for keys this version does not know (the value is saved either way)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;config;unset' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;config;path' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;config;env-path' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;config;edit' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;config;check' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration (defaults merged with config.yaml; secrets masked)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print the resolved value of a key (dotted for config.yaml, e.g. `model.default`)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a value: secrets (`*_API_KEY`, `*_TOKEN`, env-style names) go to .env, the rest to config.yaml')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a key (its built-in default applies again)')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of config.yaml')
            [CompletionResult]::new('env-path', 'env-path', [CompletionResultType]::ParameterValue, 'Print the path of .env')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Open config.yaml in $VISUAL or $EDITOR (or nano, vim, vi), then check it')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check config.yaml and .env: syntax, keys this version does not use, file modes')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;config;help;show' {
            break
        }
        'hermes;config;help;get' {
            break
        }
        'hermes;config;help;set' {
            break
        }
        'hermes;config;help;unset' {
            break
        }
        'hermes;config;help;path' {
            break
        }
        'hermes;config;help;env-path' {
            break
        }
        'hermes;config;help;edit' {
            break
        }
        'hermes;config;help;check' {
            break
        }
        'hermes;config;help;help' {
            break
        }
        'hermes;gateway' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the gateway in the foreground (what services and containers run)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the gateway as a service (systemd unit or launchd agent) that starts at boot')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the gateway service')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the gateway in the background (the service, or a detached supervisor)')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the gateway (SIGTERM; it drains and tells busy chats)')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart the gateway (picks up `.env` and `config.yaml` changes)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether this profile''s gateway runs: PID, uptime, platforms, runs, service')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show every profile''s gateway in one table')
            [CompletionResult]::new('__supervise', '__supervise', [CompletionResultType]::ParameterValue, 'Run and restart the gateway in the background (used by `gateway start`)')
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Configure messaging platforms (arrow keys, or a flag per answer)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;gateway;run' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log to stderr too: -v for INFO, -vv for DEBUG')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log to stderr too: -v for INFO, -vv for DEBUG')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing to stderr (logs still go to files)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing to stderr (logs still go to files)')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Take over from a gateway of this same profile that is already running')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;gateway;install' {
            [CompletionResult]::new('--run-as-user', '--run-as-user', [CompletionResultType]::ParameterName, 'With `--system`: run the gateway as this user (default: the user who ran sudo)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Install a boot-time system unit instead of a user unit (needs sudo)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Rewrite an installed service file that is outdated')
            [CompletionResult]::new('--start-now', '--start-now', [CompletionResultType]::ParameterName, 'Start the service right away (the default)')
            [CompletionResult]::new('--no-start-now', '--no-start-now', [CompletionResultType]::ParameterName, 'Install without starting it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;gateway;uninstall' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Target the Linux system unit (`/etc/systemd/system`, needs sudo)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;gateway;start' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Act on the gateways of every profile')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Target the Linux system unit')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;gateway;stop' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Act on the gateways of every profile')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Target the Linux system unit')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;gateway;restart' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Act on the gateways of every profile')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Target the Linux system unit')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;gateway;status' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--deep', '--deep', [CompletionResultType]::ParameterName, 'Also show the service manager''s view, recent starts and the last output lines')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Look at the system unit')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;gateway;list' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;gateway;__supervise' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;gateway;setup' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Configure this platform (repeatable): telegram, discord, slack, matrix, email, homeassistant, webhook, weixin')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read this platform secret (e.g. `TELEGRAM_BOT_TOKEN`) from standard input (repeatable: one line each, in order, after the --api-key-stdin line)')
            [CompletionResult]::new('--telegram-bot-token-env', '--telegram-bot-token-env', [CompletionResultType]::ParameterName, 'Read TELEGRAM_BOT_TOKEN from this environment variable (or use --secret-stdin TELEGRAM_BOT_TOKEN)')
            [CompletionResult]::new('--telegram-dm-policy', '--telegram-dm-policy', [CompletionResultType]::ParameterName, 'How should direct messages be authorized? (TELEGRAM_DM_POLICY)')
            [CompletionResult]::new('--telegram-allowed-users', '--telegram-allowed-users', [CompletionResultType]::ParameterName, 'Allowed Telegram user IDs (comma-separated) (TELEGRAM_ALLOWED_USERS)')
            [CompletionResult]::new('--telegram-group-policy', '--telegram-group-policy', [CompletionResultType]::ParameterName, 'How should group chats be handled? (TELEGRAM_GROUP_POLICY)')
            [CompletionResult]::new('--telegram-group-allowed-chats', '--telegram-group-allowed-chats', [CompletionResultType]::ParameterName, 'Allowed group chat IDs (comma-separated) (TELEGRAM_GROUP_ALLOWED_CHATS)')
            [CompletionResult]::new('--telegram-home-channel', '--telegram-home-channel', [CompletionResultType]::ParameterName, 'Home channel (chat id for cron results and notices, optional) (TELEGRAM_HOME_CHANNEL)')
            [CompletionResult]::new('--discord-bot-token-env', '--discord-bot-token-env', [CompletionResultType]::ParameterName, 'Read DISCORD_BOT_TOKEN from this environment variable (or use --secret-stdin DISCORD_BOT_TOKEN)')
            [CompletionResult]::new('--discord-dm-policy', '--discord-dm-policy', [CompletionResultType]::ParameterName, 'How should direct messages be authorized? (DISCORD_DM_POLICY)')
            [CompletionResult]::new('--discord-allowed-users', '--discord-allowed-users', [CompletionResultType]::ParameterName, 'Allowed Discord user IDs (comma-separated) (DISCORD_ALLOWED_USERS)')
            [CompletionResult]::new('--discord-group-policy', '--discord-group-policy', [CompletionResultType]::ParameterName, 'How should server channels be handled? (DISCORD_GROUP_POLICY)')
            [CompletionResult]::new('--discord-group-allowed-chats', '--discord-group-allowed-chats', [CompletionResultType]::ParameterName, 'Allowed channel IDs (comma-separated) (DISCORD_GROUP_ALLOWED_CHATS)')
            [CompletionResult]::new('--discord-home-channel', '--discord-home-channel', [CompletionResultType]::ParameterName, 'Home channel ID (for cron results and notices, optional) (DISCORD_HOME_CHANNEL)')
            [CompletionResult]::new('--slack-bot-token-env', '--slack-bot-token-env', [CompletionResultType]::ParameterName, 'Read SLACK_BOT_TOKEN from this environment variable (or use --secret-stdin SLACK_BOT_TOKEN)')
            [CompletionResult]::new('--slack-app-token-env', '--slack-app-token-env', [CompletionResultType]::ParameterName, 'Read SLACK_APP_TOKEN from this environment variable (or use --secret-stdin SLACK_APP_TOKEN)')
            [CompletionResult]::new('--slack-dm-policy', '--slack-dm-policy', [CompletionResultType]::ParameterName, 'How should direct messages be authorized? (SLACK_DM_POLICY)')
            [CompletionResult]::new('--slack-allowed-users', '--slack-allowed-users', [CompletionResultType]::ParameterName, 'Allowed Slack member IDs (comma-separated) (SLACK_ALLOWED_USERS)')
            [CompletionResult]::new('--slack-group-policy', '--slack-group-policy', [CompletionResultType]::ParameterName, 'How should channels be handled? (SLACK_GROUP_POLICY)')
            [CompletionResult]::new('--slack-group-allowed-chats', '--slack-group-allowed-chats', [CompletionResultType]::ParameterName, 'Allowed channel IDs (comma-separated) (SLACK_GROUP_ALLOWED_CHATS)')
            [CompletionResult]::new('--slack-home-channel', '--slack-home-channel', [CompletionResultType]::ParameterName, 'Home channel ID (for cron results and notices, optional) (SLACK_HOME_CHANNEL)')
            [CompletionResult]::new('--matrix-homeserver', '--matrix-homeserver', [CompletionResultType]::ParameterName, 'Homeserver URL (MATRIX_HOMESERVER)')
            [CompletionResult]::new('--matrix-user-id', '--matrix-user-id', [CompletionResultType]::ParameterName, 'Bot user ID (MATRIX_USER_ID)')
            [CompletionResult]::new('--matrix-access-token-env', '--matrix-access-token-env', [CompletionResultType]::ParameterName, 'Read MATRIX_ACCESS_TOKEN from this environment variable (or use --secret-stdin MATRIX_ACCESS_TOKEN)')
            [CompletionResult]::new('--matrix-password-env', '--matrix-password-env', [CompletionResultType]::ParameterName, 'Read MATRIX_PASSWORD from this environment variable (or use --secret-stdin MATRIX_PASSWORD)')
            [CompletionResult]::new('--matrix-dm-policy', '--matrix-dm-policy', [CompletionResultType]::ParameterName, 'How should direct messages be authorized? (MATRIX_DM_POLICY)')
            [CompletionResult]::new('--matrix-allowed-users', '--matrix-allowed-users', [CompletionResultType]::ParameterName, 'Allowed Matrix user IDs (comma-separated) (MATRIX_ALLOWED_USERS)')
            [CompletionResult]::new('--matrix-group-policy', '--matrix-group-policy', [CompletionResultType]::ParameterName, 'How should rooms be handled? (MATRIX_GROUP_POLICY)')
            [CompletionResult]::new('--matrix-group-allowed-chats', '--matrix-group-allowed-chats', [CompletionResultType]::ParameterName, 'Allowed room IDs (comma-separated) (MATRIX_GROUP_ALLOWED_CHATS)')
            [CompletionResult]::new('--matrix-home-channel', '--matrix-home-channel', [CompletionResultType]::ParameterName, 'Home room ID (for cron results and notices, optional) (MATRIX_HOME_CHANNEL)')
            [CompletionResult]::new('--email-address', '--email-address', [CompletionResultType]::ParameterName, 'Email address of the agent (EMAIL_ADDRESS)')
            [CompletionResult]::new('--email-password-env', '--email-password-env', [CompletionResultType]::ParameterName, 'Read EMAIL_PASSWORD from this environment variable (or use --secret-stdin EMAIL_PASSWORD)')
            [CompletionResult]::new('--email-imap-host', '--email-imap-host', [CompletionResultType]::ParameterName, 'IMAP server (EMAIL_IMAP_HOST)')
            [CompletionResult]::new('--email-imap-port', '--email-imap-port', [CompletionResultType]::ParameterName, 'IMAP port (EMAIL_IMAP_PORT)')
            [CompletionResult]::new('--email-smtp-host', '--email-smtp-host', [CompletionResultType]::ParameterName, 'SMTP server (EMAIL_SMTP_HOST)')
            [CompletionResult]::new('--email-smtp-port', '--email-smtp-port', [CompletionResultType]::ParameterName, 'SMTP port (EMAIL_SMTP_PORT)')
            [CompletionResult]::new('--email-dm-policy', '--email-dm-policy', [CompletionResultType]::ParameterName, 'Who may email the agent? (EMAIL_DM_POLICY)')
            [CompletionResult]::new('--email-allowed-users', '--email-allowed-users', [CompletionResultType]::ParameterName, 'Allowed sender addresses (comma-separated) (EMAIL_ALLOWED_USERS)')
            [CompletionResult]::new('--email-home-address', '--email-home-address', [CompletionResultType]::ParameterName, 'Home address (where cron results are mailed, optional) (EMAIL_HOME_ADDRESS)')
            [CompletionResult]::new('--hass-url', '--hass-url', [CompletionResultType]::ParameterName, 'Home Assistant URL (HASS_URL)')
            [CompletionResult]::new('--hass-token-env', '--hass-token-env', [CompletionResultType]::ParameterName, 'Read HASS_TOKEN from this environment variable (or use --secret-stdin HASS_TOKEN)')
            [CompletionResult]::new('--webhook-port', '--webhook-port', [CompletionResultType]::ParameterName, 'Port to listen on (WEBHOOK_PORT)')
            [CompletionResult]::new('--webhook-secret-env', '--webhook-secret-env', [CompletionResultType]::ParameterName, 'Read WEBHOOK_SECRET from this environment variable (or use --secret-stdin WEBHOOK_SECRET)')
            [CompletionResult]::new('--weixin-account-id', '--weixin-account-id', [CompletionResultType]::ParameterName, 'Set WEIXIN_ACCOUNT_ID')
            [CompletionResult]::new('--weixin-base-url', '--weixin-base-url', [CompletionResultType]::ParameterName, 'Set WEIXIN_BASE_URL')
            [CompletionResult]::new('--weixin-cdn-base-url', '--weixin-cdn-base-url', [CompletionResultType]::ParameterName, 'Set WEIXIN_CDN_BASE_URL')
            [CompletionResult]::new('--weixin-token-env', '--weixin-token-env', [CompletionResultType]::ParameterName, 'Read WEIXIN_TOKEN from this environment variable (or use --secret-stdin WEIXIN_TOKEN)')
            [CompletionResult]::new('--weixin-dm-policy', '--weixin-dm-policy', [CompletionResultType]::ParameterName, 'How should direct messages be authorized? (WEIXIN_DM_POLICY)')
            [CompletionResult]::new('--weixin-allowed-users', '--weixin-allowed-users', [CompletionResultType]::ParameterName, 'Allowed Weixin user IDs (comma-separated) (WEIXIN_ALLOWED_USERS)')
            [CompletionResult]::new('--weixin-group-policy', '--weixin-group-policy', [CompletionResultType]::ParameterName, 'How should group chats be handled? (WEIXIN_GROUP_POLICY)')
            [CompletionResult]::new('--weixin-group-allowed-users', '--weixin-group-allowed-users', [CompletionResultType]::ParameterName, 'Allowed group chat IDs (comma-separated; group ids, not member ids) (WEIXIN_GROUP_ALLOWED_USERS)')
            [CompletionResult]::new('--weixin-home-channel', '--weixin-home-channel', [CompletionResultType]::ParameterName, 'Use your Weixin user ID ({user_id}) as the home channel? (WEIXIN_HOME_CHANNEL)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt: take every answer from flags and environment variables')
            [CompletionResult]::new('--no-validate', '--no-validate', [CompletionResultType]::ParameterName, 'Skip the live checks (token checks, the one-token model request)')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'Start the gateway without asking (restart it when it is running)')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Start the gateway without asking (restart it when it is running)')
            [CompletionResult]::new('--install-service', '--install-service', [CompletionResultType]::ParameterName, 'Install the gateway as a service and start it, without asking (restart it when it is running)')
            [CompletionResult]::new('--no-start', '--no-start', [CompletionResultType]::ParameterName, 'Do not start, restart or install the gateway; only say how')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;gateway;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the gateway in the foreground (what services and containers run)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the gateway as a service (systemd unit or launchd agent) that starts at boot')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the gateway service')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the gateway in the background (the service, or a detached supervisor)')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the gateway (SIGTERM; it drains and tells busy chats)')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart the gateway (picks up `.env` and `config.yaml` changes)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether this profile''s gateway runs: PID, uptime, platforms, runs, service')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show every profile''s gateway in one table')
            [CompletionResult]::new('__supervise', '__supervise', [CompletionResultType]::ParameterValue, 'Run and restart the gateway in the background (used by `gateway start`)')
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Configure messaging platforms (arrow keys, or a flag per answer)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;gateway;help;run' {
            break
        }
        'hermes;gateway;help;install' {
            break
        }
        'hermes;gateway;help;uninstall' {
            break
        }
        'hermes;gateway;help;start' {
            break
        }
        'hermes;gateway;help;stop' {
            break
        }
        'hermes;gateway;help;restart' {
            break
        }
        'hermes;gateway;help;status' {
            break
        }
        'hermes;gateway;help;list' {
            break
        }
        'hermes;gateway;help;__supervise' {
            break
        }
        'hermes;gateway;help;setup' {
            break
        }
        'hermes;gateway;help;help' {
            break
        }
        'hermes;logs' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many records to show')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'How many records to show')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Minimum level: DEBUG, INFO, WARNING, ERROR, CRITICAL')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only records from the last TIME (e.g. 30m, 1h, 2d)')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Only records mentioning this session id (substring)')
            [CompletionResult]::new('--component', '--component', [CompletionResultType]::ParameterName, 'Only one component: gateway, agent, tools, cli, cron, gui, api')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Only records about one platform (telegram, weixin, …)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing new records (Ctrl+C to stop); survives log rotation')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing new records (Ctrl+C to stop); survives log rotation')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per record')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;pairing' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List pending requests and approved users (codes are never shown)')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a pending request by its code or request id, or by the user''s id')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a user''s access (also removes them from `<PLATFORM>_ALLOWED_USERS` in `.env`)')
            [CompletionResult]::new('clear-pending', 'clear-pending', [CompletionResultType]::ParameterValue, 'Drop every pending request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;pairing;list' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;pairing;approve' {
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Approve the pending request of this user id instead')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;pairing;revoke' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;pairing;clear-pending' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;pairing;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List pending requests and approved users (codes are never shown)')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a pending request by its code or request id, or by the user''s id')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a user''s access (also removes them from `<PLATFORM>_ALLOWED_USERS` in `.env`)')
            [CompletionResult]::new('clear-pending', 'clear-pending', [CompletionResultType]::ParameterValue, 'Drop every pending request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;pairing;help;list' {
            break
        }
        'hermes;pairing;help;approve' {
            break
        }
        'hermes;pairing;help;revoke' {
            break
        }
        'hermes;pairing;help;clear-pending' {
            break
        }
        'hermes;pairing;help;help' {
            break
        }
        'hermes;cron' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List scheduled jobs')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a scheduled job')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a scheduled job')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Edit an existing scheduled job')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause a scheduled job')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume a paused job')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a job on the next scheduler tick')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a scheduled job')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove a scheduled job')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Remove a scheduled job')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Check if the cron scheduler is running')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'Show recorded runs, newest first')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'Show recorded runs, newest first')
            [CompletionResult]::new('tick', 'tick', [CompletionResultType]::ParameterValue, 'Run due jobs once and exit')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;cron;list' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Include paused and completed jobs')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the job records as JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;create' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Optional human-friendly job name')
            [CompletionResult]::new('--deliver', '--deliver', [CompletionResultType]::ParameterName, 'Delivery target: `local`, `telegram` (its home channel), `platform:chat_id[:thread_id]`, `all`; comma-separated for several')
            [CompletionResult]::new('--failure-deliver', '--failure-deliver', [CompletionResultType]::ParameterName, 'Where to report failures of a job that delivers locally')
            [CompletionResult]::new('--repeat', '--repeat', [CompletionResultType]::ParameterName, 'How many times to run (default: once for one-shots, forever otherwise)')
            [CompletionResult]::new('--skill', '--skill', [CompletionResultType]::ParameterName, 'Attach a skill. Repeat to add multiple skills')
            [CompletionResult]::new('--script', '--script', [CompletionResultType]::ParameterName, 'Path to a script under the profile''s `scripts/` directory')
            [CompletionResult]::new('--workdir', '--workdir', [CompletionResultType]::ParameterName, 'Absolute path for the job to run from')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--no-agent', '--no-agent', [CompletionResultType]::ParameterName, 'Skip the agent: run `--script` on schedule and deliver its stdout. Empty stdout = silent')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;add' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Optional human-friendly job name')
            [CompletionResult]::new('--deliver', '--deliver', [CompletionResultType]::ParameterName, 'Delivery target: `local`, `telegram` (its home channel), `platform:chat_id[:thread_id]`, `all`; comma-separated for several')
            [CompletionResult]::new('--failure-deliver', '--failure-deliver', [CompletionResultType]::ParameterName, 'Where to report failures of a job that delivers locally')
            [CompletionResult]::new('--repeat', '--repeat', [CompletionResultType]::ParameterName, 'How many times to run (default: once for one-shots, forever otherwise)')
            [CompletionResult]::new('--skill', '--skill', [CompletionResultType]::ParameterName, 'Attach a skill. Repeat to add multiple skills')
            [CompletionResult]::new('--script', '--script', [CompletionResultType]::ParameterName, 'Path to a script under the profile''s `scripts/` directory')
            [CompletionResult]::new('--workdir', '--workdir', [CompletionResultType]::ParameterName, 'Absolute path for the job to run from')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--no-agent', '--no-agent', [CompletionResultType]::ParameterName, 'Skip the agent: run `--script` on schedule and deliver its stdout. Empty stdout = silent')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;edit' {
            [CompletionResult]::new('--schedule', '--schedule', [CompletionResultType]::ParameterName, 'New schedule')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'New prompt')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'New name')
            [CompletionResult]::new('--deliver', '--deliver', [CompletionResultType]::ParameterName, 'New delivery target')
            [CompletionResult]::new('--repeat', '--repeat', [CompletionResultType]::ParameterName, 'New repeat count (0: forever)')
            [CompletionResult]::new('--skill', '--skill', [CompletionResultType]::ParameterName, 'Replace the skills with these. Repeat to add multiple skills')
            [CompletionResult]::new('--add-skill', '--add-skill', [CompletionResultType]::ParameterName, 'Add a skill to the existing ones')
            [CompletionResult]::new('--remove-skill', '--remove-skill', [CompletionResultType]::ParameterName, 'Remove a skill')
            [CompletionResult]::new('--script', '--script', [CompletionResultType]::ParameterName, 'New script (empty to clear)')
            [CompletionResult]::new('--workdir', '--workdir', [CompletionResultType]::ParameterName, 'New working directory (empty to clear)')
            [CompletionResult]::new('--failure-deliver', '--failure-deliver', [CompletionResultType]::ParameterName, 'New failure target (empty to clear)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--clear-skills', '--clear-skills', [CompletionResultType]::ParameterName, 'Remove every skill')
            [CompletionResult]::new('--no-agent', '--no-agent', [CompletionResultType]::ParameterName, 'Skip the agent: run the job''s script and deliver its stdout')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Run the agent again (undoes `--no-agent`)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;pause' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;resume' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;run' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;remove' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;rm' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;delete' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;status' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;runs' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many runs to show')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print runs as JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;history' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many runs to show')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print runs as JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;tick' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;cron;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List scheduled jobs')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a scheduled job')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Edit an existing scheduled job')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause a scheduled job')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume a paused job')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a job on the next scheduler tick')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a scheduled job')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Check if the cron scheduler is running')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'Show recorded runs, newest first')
            [CompletionResult]::new('tick', 'tick', [CompletionResultType]::ParameterValue, 'Run due jobs once and exit')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;cron;help;list' {
            break
        }
        'hermes;cron;help;create' {
            break
        }
        'hermes;cron;help;edit' {
            break
        }
        'hermes;cron;help;pause' {
            break
        }
        'hermes;cron;help;resume' {
            break
        }
        'hermes;cron;help;run' {
            break
        }
        'hermes;cron;help;remove' {
            break
        }
        'hermes;cron;help;status' {
            break
        }
        'hermes;cron;help;runs' {
            break
        }
        'hermes;cron;help;tick' {
            break
        }
        'hermes;cron;help;help' {
            break
        }
        'hermes;completion' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;sessions' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List recent sessions, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a session''s transcript')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export a session as JSON Lines (upstream''s format) or Markdown')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Set or change a session''s title')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a session and all its messages')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete ended sessions that started more than DAYS ago')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Show session and message counts and the database size')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;sessions;list' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most this many')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Only sessions from this platform (`telegram`, `cli`, …)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only sessions from this platform (`telegram`, `cli`, …)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Only sessions whose title contains this text')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;sessions;show' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;sessions;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file (mode 0600) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to this file (mode 0600) instead of stdout')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;sessions;rename' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;sessions;delete' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;sessions;prune' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Age in days (`90`), or with a unit: `36h`, `2d`, `1w`')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Only sessions from this platform')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only sessions from this platform')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'List what would be deleted, delete nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;sessions;stats' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;sessions;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List recent sessions, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a session''s transcript')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export a session as JSON Lines (upstream''s format) or Markdown')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Set or change a session''s title')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a session and all its messages')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete ended sessions that started more than DAYS ago')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Show session and message counts and the database size')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;sessions;help;list' {
            break
        }
        'hermes;sessions;help;show' {
            break
        }
        'hermes;sessions;help;export' {
            break
        }
        'hermes;sessions;help;rename' {
            break
        }
        'hermes;sessions;help;delete' {
            break
        }
        'hermes;sessions;help;prune' {
            break
        }
        'hermes;sessions;help;stats' {
            break
        }
        'hermes;sessions;help;help' {
            break
        }
        'hermes;send' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Where: `telegram` (its home channel), `telegram:<chat_id>[:<thread_id>]`, `all`, or a comma-separated list')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Where: `telegram` (its home channel), `telegram:<chat_id>[:<thread_id>]`, `all`, or a comma-separated list')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read the text from a file (`-` for standard input)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the text from a file (`-` for standard input)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'A subject (email); other platforms show it as a bold first line')
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'A subject (email); other platforms show it as a bold first line')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'List the platforms you can send to and their home channels (optionally one platform)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the platforms you can send to and their home channels (optionally one platform)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (the exit code says it went out); errors still print')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;runs' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one run, with its text, reply and last error')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Release a run held for review; the gateway runs it next')
            [CompletionResult]::new('discard', 'discard', [CompletionResultType]::ParameterValue, 'Drop a queued, held or retrying run without running it')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Queue a failed or retrying run again, now')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;runs;list' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only runs in this state')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most this many')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;runs;show' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;runs;approve' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;runs;discard' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;runs;retry' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;runs;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one run, with its text, reply and last error')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Release a run held for review; the gateway runs it next')
            [CompletionResult]::new('discard', 'discard', [CompletionResultType]::ParameterValue, 'Drop a queued, held or retrying run without running it')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Queue a failed or retrying run again, now')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;runs;help;list' {
            break
        }
        'hermes;runs;help;show' {
            break
        }
        'hermes;runs;help;approve' {
            break
        }
        'hermes;runs;help;discard' {
            break
        }
        'hermes;runs;help;retry' {
            break
        }
        'hermes;runs;help;help' {
            break
        }
        'hermes;setup' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'The model provider: openrouter, openai, anthropic, nous or custom')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The model id (e.g. `anthropic/claude-sonnet-4.6`)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The endpoint of a custom OpenAI-compatible server (e.g. `http://127.0.0.1:11434/v1`)')
            [CompletionResult]::new('--api-key-env', '--api-key-env', [CompletionResultType]::ParameterName, 'Read the API key from this environment variable')
            [CompletionResult]::new('--soul-file', '--soul-file', [CompletionResultType]::ParameterName, 'Use this file as the agent''s SOUL.md')
            [CompletionResult]::new('--toolsets', '--toolsets', [CompletionResultType]::ParameterName, 'The toolsets the agent may use, comma-separated (e.g. `terminal,file,web`)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Configure this platform (repeatable): telegram, discord, slack, matrix, email, homeassistant, webhook, weixin')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read this platform secret (e.g. `TELEGRAM_BOT_TOKEN`) from standard input (repeatable: one line each, in order, after the --api-key-stdin line)')
            [CompletionResult]::new('--telegram-bot-token-env', '--telegram-bot-token-env', [CompletionResultType]::ParameterName, 'Read TELEGRAM_BOT_TOKEN from this environment variable (or use --secret-stdin TELEGRAM_BOT_TOKEN)')
            [CompletionResult]::new('--telegram-dm-policy', '--telegram-dm-policy', [CompletionResultType]::ParameterName, 'How should direct messages be authorized? (TELEGRAM_DM_POLICY)')
            [CompletionResult]::new('--telegram-allowed-users', '--telegram-allowed-users', [CompletionResultType]::ParameterName, 'Allowed Telegram user IDs (comma-separated) (TELEGRAM_ALLOWED_USERS)')
            [CompletionResult]::new('--telegram-group-policy', '--telegram-group-policy', [CompletionResultType]::ParameterName, 'How should group chats be handled? (TELEGRAM_GROUP_POLICY)')
            [CompletionResult]::new('--telegram-group-allowed-chats', '--telegram-group-allowed-chats', [CompletionResultType]::ParameterName, 'Allowed group chat IDs (comma-separated) (TELEGRAM_GROUP_ALLOWED_CHATS)')
            [CompletionResult]::new('--telegram-home-channel', '--telegram-home-channel', [CompletionResultType]::ParameterName, 'Home channel (chat id for cron results and notices, optional) (TELEGRAM_HOME_CHANNEL)')
            [CompletionResult]::new('--discord-bot-token-env', '--discord-bot-token-env', [CompletionResultType]::ParameterName, 'Read DISCORD_BOT_TOKEN from this environment variable (or use --secret-stdin DISCORD_BOT_TOKEN)')
            [CompletionResult]::new('--discord-dm-policy', '--discord-dm-policy', [CompletionResultType]::ParameterName, 'How should direct messages be authorized? (DISCORD_DM_POLICY)')
            [CompletionResult]::new('--discord-allowed-users', '--discord-allowed-users', [CompletionResultType]::ParameterName, 'Allowed Discord user IDs (comma-separated) (DISCORD_ALLOWED_USERS)')
            [CompletionResult]::new('--discord-group-policy', '--discord-group-policy', [CompletionResultType]::ParameterName, 'How should server channels be handled? (DISCORD_GROUP_POLICY)')
            [CompletionResult]::new('--discord-group-allowed-chats', '--discord-group-allowed-chats', [CompletionResultType]::ParameterName, 'Allowed channel IDs (comma-separated) (DISCORD_GROUP_ALLOWED_CHATS)')
            [CompletionResult]::new('--discord-home-channel', '--discord-home-channel', [CompletionResultType]::ParameterName, 'Home channel ID (for cron results and notices, optional) (DISCORD_HOME_CHANNEL)')
            [CompletionResult]::new('--slack-bot-token-env', '--slack-bot-token-env', [CompletionResultType]::ParameterName, 'Read SLACK_BOT_TOKEN from this environment variable (or use --secret-stdin SLACK_BOT_TOKEN)')
            [CompletionResult]::new('--slack-app-token-env', '--slack-app-token-env', [CompletionResultType]::ParameterName, 'Read SLACK_APP_TOKEN from this environment variable (or use --secret-stdin SLACK_APP_TOKEN)')
            [CompletionResult]::new('--slack-dm-policy', '--slack-dm-policy', [CompletionResultType]::ParameterName, 'How should direct messages be authorized? (SLACK_DM_POLICY)')
            [CompletionResult]::new('--slack-allowed-users', '--slack-allowed-users', [CompletionResultType]::ParameterName, 'Allowed Slack member IDs (comma-separated) (SLACK_ALLOWED_USERS)')
            [CompletionResult]::new('--slack-group-policy', '--slack-group-policy', [CompletionResultType]::ParameterName, 'How should channels be handled? (SLACK_GROUP_POLICY)')
            [CompletionResult]::new('--slack-group-allowed-chats', '--slack-group-allowed-chats', [CompletionResultType]::ParameterName, 'Allowed channel IDs (comma-separated) (SLACK_GROUP_ALLOWED_CHATS)')
            [CompletionResult]::new('--slack-home-channel', '--slack-home-channel', [CompletionResultType]::ParameterName, 'Home channel ID (for cron results and notices, optional) (SLACK_HOME_CHANNEL)')
            [CompletionResult]::new('--matrix-homeserver', '--matrix-homeserver', [CompletionResultType]::ParameterName, 'Homeserver URL (MATRIX_HOMESERVER)')
            [CompletionResult]::new('--matrix-user-id', '--matrix-user-id', [CompletionResultType]::ParameterName, 'Bot user ID (MATRIX_USER_ID)')
            [CompletionResult]::new('--matrix-access-token-env', '--matrix-access-token-env', [CompletionResultType]::ParameterName, 'Read MATRIX_ACCESS_TOKEN from this environment variable (or use --secret-stdin MATRIX_ACCESS_TOKEN)')
            [CompletionResult]::new('--matrix-password-env', '--matrix-password-env', [CompletionResultType]::ParameterName, 'Read MATRIX_PASSWORD from this environment variable (or use --secret-stdin MATRIX_PASSWORD)')
            [CompletionResult]::new('--matrix-dm-policy', '--matrix-dm-policy', [CompletionResultType]::ParameterName, 'How should direct messages be authorized? (MATRIX_DM_POLICY)')
            [CompletionResult]::new('--matrix-allowed-users', '--matrix-allowed-users', [CompletionResultType]::ParameterName, 'Allowed Matrix user IDs (comma-separated) (MATRIX_ALLOWED_USERS)')
            [CompletionResult]::new('--matrix-group-policy', '--matrix-group-policy', [CompletionResultType]::ParameterName, 'How should rooms be handled? (MATRIX_GROUP_POLICY)')
            [CompletionResult]::new('--matrix-group-allowed-chats', '--matrix-group-allowed-chats', [CompletionResultType]::ParameterName, 'Allowed room IDs (comma-separated) (MATRIX_GROUP_ALLOWED_CHATS)')
            [CompletionResult]::new('--matrix-home-channel', '--matrix-home-channel', [CompletionResultType]::ParameterName, 'Home room ID (for cron results and notices, optional) (MATRIX_HOME_CHANNEL)')
            [CompletionResult]::new('--email-address', '--email-address', [CompletionResultType]::ParameterName, 'Email address of the agent (EMAIL_ADDRESS)')
            [CompletionResult]::new('--email-password-env', '--email-password-env', [CompletionResultType]::ParameterName, 'Read EMAIL_PASSWORD from this environment variable (or use --secret-stdin EMAIL_PASSWORD)')
            [CompletionResult]::new('--email-imap-host', '--email-imap-host', [CompletionResultType]::ParameterName, 'IMAP server (EMAIL_IMAP_HOST)')
            [CompletionResult]::new('--email-imap-port', '--email-imap-port', [CompletionResultType]::ParameterName, 'IMAP port (EMAIL_IMAP_PORT)')
            [CompletionResult]::new('--email-smtp-host', '--email-smtp-host', [CompletionResultType]::ParameterName, 'SMTP server (EMAIL_SMTP_HOST)')
            [CompletionResult]::new('--email-smtp-port', '--email-smtp-port', [CompletionResultType]::ParameterName, 'SMTP port (EMAIL_SMTP_PORT)')
            [CompletionResult]::new('--email-dm-policy', '--email-dm-policy', [CompletionResultType]::ParameterName, 'Who may email the agent? (EMAIL_DM_POLICY)')
            [CompletionResult]::new('--email-allowed-users', '--email-allowed-users', [CompletionResultType]::ParameterName, 'Allowed sender addresses (comma-separated) (EMAIL_ALLOWED_USERS)')
            [CompletionResult]::new('--email-home-address', '--email-home-address', [CompletionResultType]::ParameterName, 'Home address (where cron results are mailed, optional) (EMAIL_HOME_ADDRESS)')
            [CompletionResult]::new('--hass-url', '--hass-url', [CompletionResultType]::ParameterName, 'Home Assistant URL (HASS_URL)')
            [CompletionResult]::new('--hass-token-env', '--hass-token-env', [CompletionResultType]::ParameterName, 'Read HASS_TOKEN from this environment variable (or use --secret-stdin HASS_TOKEN)')
            [CompletionResult]::new('--webhook-port', '--webhook-port', [CompletionResultType]::ParameterName, 'Port to listen on (WEBHOOK_PORT)')
            [CompletionResult]::new('--webhook-secret-env', '--webhook-secret-env', [CompletionResultType]::ParameterName, 'Read WEBHOOK_SECRET from this environment variable (or use --secret-stdin WEBHOOK_SECRET)')
            [CompletionResult]::new('--weixin-account-id', '--weixin-account-id', [CompletionResultType]::ParameterName, 'Set WEIXIN_ACCOUNT_ID')
            [CompletionResult]::new('--weixin-base-url', '--weixin-base-url', [CompletionResultType]::ParameterName, 'Set WEIXIN_BASE_URL')
            [CompletionResult]::new('--weixin-cdn-base-url', '--weixin-cdn-base-url', [CompletionResultType]::ParameterName, 'Set WEIXIN_CDN_BASE_URL')
            [CompletionResult]::new('--weixin-token-env', '--weixin-token-env', [CompletionResultType]::ParameterName, 'Read WEIXIN_TOKEN from this environment variable (or use --secret-stdin WEIXIN_TOKEN)')
            [CompletionResult]::new('--weixin-dm-policy', '--weixin-dm-policy', [CompletionResultType]::ParameterName, 'How should direct messages be authorized? (WEIXIN_DM_POLICY)')
            [CompletionResult]::new('--weixin-allowed-users', '--weixin-allowed-users', [CompletionResultType]::ParameterName, 'Allowed Weixin user IDs (comma-separated) (WEIXIN_ALLOWED_USERS)')
            [CompletionResult]::new('--weixin-group-policy', '--weixin-group-policy', [CompletionResultType]::ParameterName, 'How should group chats be handled? (WEIXIN_GROUP_POLICY)')
            [CompletionResult]::new('--weixin-group-allowed-users', '--weixin-group-allowed-users', [CompletionResultType]::ParameterName, 'Allowed group chat IDs (comma-separated; group ids, not member ids) (WEIXIN_GROUP_ALLOWED_USERS)')
            [CompletionResult]::new('--weixin-home-channel', '--weixin-home-channel', [CompletionResultType]::ParameterName, 'Use your Weixin user ID ({user_id}) as the home channel? (WEIXIN_HOME_CHANNEL)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt: take every answer from flags and environment variables')
            [CompletionResult]::new('--no-validate', '--no-validate', [CompletionResultType]::ParameterName, 'Skip the live checks (token checks, the one-token model request)')
            [CompletionResult]::new('--reset', '--reset', [CompletionResultType]::ParameterName, 'Start from the built-in defaults instead of the current settings (asks first)')
            [CompletionResult]::new('--quick', '--quick', [CompletionResultType]::ParameterName, 'Ask only about what is not configured yet')
            [CompletionResult]::new('--api-key-stdin', '--api-key-stdin', [CompletionResultType]::ParameterName, 'Read the API key from standard input (one line)')
            [CompletionResult]::new('--no-keychain', '--no-keychain', [CompletionResultType]::ParameterName, 'Keep the API key in .env, not in the OS keychain (or set `HERMES_NO_KEYCHAIN=1`)')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'Start the gateway without asking (restart it when it is running)')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Start the gateway without asking (restart it when it is running)')
            [CompletionResult]::new('--install-service', '--install-service', [CompletionResultType]::ParameterName, 'Install the gateway as a service and start it, without asking (restart it when it is running)')
            [CompletionResult]::new('--no-start', '--no-start', [CompletionResultType]::ParameterName, 'Do not start, restart or install the gateway; only say how')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;model' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'The model provider: openrouter, openai, anthropic, nous or custom')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The model id (e.g. `anthropic/claude-sonnet-4.6`)')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'The endpoint of a custom OpenAI-compatible server (e.g. `http://127.0.0.1:11434/v1`)')
            [CompletionResult]::new('--api-key-env', '--api-key-env', [CompletionResultType]::ParameterName, 'Read the API key from this environment variable')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt: take every answer from flags and environment variables')
            [CompletionResult]::new('--no-validate', '--no-validate', [CompletionResultType]::ParameterName, 'Skip the live checks (token checks, the one-token model request)')
            [CompletionResult]::new('--api-key-stdin', '--api-key-stdin', [CompletionResultType]::ParameterName, 'Read the API key from standard input (one line)')
            [CompletionResult]::new('--no-keychain', '--no-keychain', [CompletionResultType]::ParameterName, 'Keep the API key in .env, not in the OS keychain (or set `HERMES_NO_KEYCHAIN=1`)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;status' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Shareable: no key fragments, no chat ids, paths with `~` (for bug reports)')
            [CompletionResult]::new('--deep', '--deep', [CompletionResultType]::ParameterName, 'Probe the provider and platforms over the network (short timeouts)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;doctor' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds each network probe may take')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Repair what is safe to repair (permissions, missing directories, stale pid files, outdated service files) and say what was done')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the findings as JSON')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;update' {
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Install a downloaded release (`.tar.gz` or the binary) without the network; its signature `FILE.sig` beside it is required and verified (and `FILE.sha256`, if there)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Use this profile for this command only (accepted anywhere on the line)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Only say whether a newer release exists')
            [CompletionResult]::new('--allow-unsigned', '--allow-unsigned', [CompletionResultType]::ParameterName, 'With --from-file: install even when no `FILE.sig` is beside it (a build of your own). A signature that is there but does not match is still refused')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask before installing')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask before installing')
            [CompletionResult]::new('--sync-skills', '--sync-skills', [CompletionResultType]::ParameterName, 'Sync bundled skills into every profile and exit (run by the new binary after an update)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: no status lines, only data and errors')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with the flag to pass instead')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hermes;help' {
            [CompletionResult]::new('chat', 'chat', [CompletionResultType]::ParameterValue, 'Talk to the agent in the terminal, or ask one question with `-q`')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Create, switch and manage profiles (separate agents with their own tokens and memory)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show and change configuration (`config.yaml` and `.env`)')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Run and manage the messaging gateway')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'View, follow and filter the logs')
            [CompletionResult]::new('pairing', 'pairing', [CompletionResultType]::ParameterValue, 'Approve or revoke users who asked to talk to the agent (DM pairing)')
            [CompletionResult]::new('cron', 'cron', [CompletionResultType]::ParameterValue, 'Manage scheduled tasks (cron jobs)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'Browse, export and clean up conversation history (`state.db`)')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a message to a chat without the agent (the same delivery as cron)')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'Inspect queued, held and failed runs (messages waiting for an agent turn)')
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Set up the model, the agent and messaging platforms (arrow keys, or flags)')
            [CompletionResult]::new('model', 'model', [CompletionResultType]::ParameterValue, 'Choose the model provider, its API key and the model')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the setup at a glance: model, keys, platforms, gateway, cron')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the setup and fix what is safe to fix')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update hermes to the latest release (verified), then restart running gateways')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hermes;help;chat' {
            break
        }
        'hermes;help;profile' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every profile: active marker, model, gateway state and alias')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a profile the sticky default (`default` goes back to ~/.hermes)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a new profile')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile''s details')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a profile: stop its gateway, remove its service, alias and directory')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Rename a profile (directory, alias, sticky default, session keys)')
            [CompletionResult]::new('alias', 'alias', [CompletionResultType]::ParameterValue, 'Create or remove the wrapper command (`~/.local/bin/<alias>`) for a profile')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export a profile to a .tar.gz (never includes .env or auth.json)')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import a profile from an archive made by `profile export`')
            break
        }
        'hermes;help;profile;list' {
            break
        }
        'hermes;help;profile;use' {
            break
        }
        'hermes;help;profile;create' {
            break
        }
        'hermes;help;profile;show' {
            break
        }
        'hermes;help;profile;delete' {
            break
        }
        'hermes;help;profile;rename' {
            break
        }
        'hermes;help;profile;alias' {
            break
        }
        'hermes;help;profile;export' {
            break
        }
        'hermes;help;profile;import' {
            break
        }
        'hermes;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration (defaults merged with config.yaml; secrets masked)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print the resolved value of a key (dotted for config.yaml, e.g. `model.default`)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a value: secrets (`*_API_KEY`, `*_TOKEN`, env-style names) go to .env, the rest to config.yaml')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a key (its built-in default applies again)')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of config.yaml')
            [CompletionResult]::new('env-path', 'env-path', [CompletionResultType]::ParameterValue, 'Print the path of .env')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Open config.yaml in $VISUAL or $EDITOR (or nano, vim, vi), then check it')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check config.yaml and .env: syntax, keys this version does not use, file modes')
            break
        }
        'hermes;help;config;show' {
            break
        }
        'hermes;help;config;get' {
            break
        }
        'hermes;help;config;set' {
            break
        }
        'hermes;help;config;unset' {
            break
        }
        'hermes;help;config;path' {
            break
        }
        'hermes;help;config;env-path' {
            break
        }
        'hermes;help;config;edit' {
            break
        }
        'hermes;help;config;check' {
            break
        }
        'hermes;help;gateway' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the gateway in the foreground (what services and containers run)')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the gateway as a service (systemd unit or launchd agent) that starts at boot')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the gateway service')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the gateway in the background (the service, or a detached supervisor)')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the gateway (SIGTERM; it drains and tells busy chats)')
            [CompletionResult]::new('restart', 'restart', [CompletionResultType]::ParameterValue, 'Restart the gateway (picks up `.env` and `config.yaml` changes)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether this profile''s gateway runs: PID, uptime, platforms, runs, service')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show every profile''s gateway in one table')
            [CompletionResult]::new('__supervise', '__supervise', [CompletionResultType]::ParameterValue, 'Run and restart the gateway in the background (used by `gateway start`)')
            [CompletionResult]::new('setup', 'setup', [CompletionResultType]::ParameterValue, 'Configure messaging platforms (arrow keys, or a flag per answer)')
            break
        }
        'hermes;help;gateway;run' {
            break
        }
        'hermes;help;gateway;install' {
            break
        }
        'hermes;help;gateway;uninstall' {
            break
        }
        'hermes;help;gateway;start' {
            break
        }
        'hermes;help;gateway;stop' {
            break
        }
        'hermes;help;gateway;restart' {
            break
        }
        'hermes;help;gateway;status' {
            break
        }
        'hermes;help;gateway;list' {
            break
        }
        'hermes;help;gateway;__supervise' {
            break
        }
        'hermes;help;gateway;setup' {
            break
        }
        'hermes;help;logs' {
            break
        }
        'hermes;help;pairing' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List pending requests and approved users (codes are never shown)')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a pending request by its code or request id, or by the user''s id')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a user''s access (also removes them from `<PLATFORM>_ALLOWED_USERS` in `.env`)')
            [CompletionResult]::new('clear-pending', 'clear-pending', [CompletionResultType]::ParameterValue, 'Drop every pending request')
            break
        }
        'hermes;help;pairing;list' {
            break
        }
        'hermes;help;pairing;approve' {
            break
        }
        'hermes;help;pairing;revoke' {
            break
        }
        'hermes;help;pairing;clear-pending' {
            break
        }
        'hermes;help;cron' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List scheduled jobs')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a scheduled job')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Edit an existing scheduled job')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause a scheduled job')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume a paused job')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a job on the next scheduler tick')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a scheduled job')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Check if the cron scheduler is running')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'Show recorded runs, newest first')
            [CompletionResult]::new('tick', 'tick', [CompletionResultType]::ParameterValue, 'Run due jobs once and exit')
            break
        }
        'hermes;help;cron;list' {
            break
        }
        'hermes;help;cron;create' {
            break
        }
        'hermes;help;cron;edit' {
            break
        }
        'hermes;help;cron;pause' {
            break
        }
        'hermes;help;cron;resume' {
            break
        }
        'hermes;help;cron;run' {
            break
        }
        'hermes;help;cron;remove' {
            break
        }
        'hermes;help;cron;status' {
            break
        }
        'hermes;help;cron;runs' {
            break
        }
        'hermes;help;cron;tick' {
            break
        }
        'hermes;help;completion' {
            break
        }
        'hermes;help;sessions' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List recent sessions, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a session''s transcript')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export a session as JSON Lines (upstream''s format) or Markdown')
            [CompletionResult]::new('rename', 'rename', [CompletionResultType]::ParameterValue, 'Set or change a session''s title')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a session and all its messages')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete ended sessions that started more than DAYS ago')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Show session and message counts and the database size')
            break
        }
        'hermes;help;sessions;list' {
            break
        }
        'hermes;help;sessions;show' {
            break
        }
        'hermes;help;sessions;export' {
            break
        }
        'hermes;help;sessions;rename' {
            break
        }
        'hermes;help;sessions;delete' {
            break
        }
        'hermes;help;sessions;prune' {
            break
        }
        'hermes;help;sessions;stats' {
            break
        }
        'hermes;help;send' {
            break
        }
        'hermes;help;runs' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List runs, newest first')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one run, with its text, reply and last error')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Release a run held for review; the gateway runs it next')
            [CompletionResult]::new('discard', 'discard', [CompletionResultType]::ParameterValue, 'Drop a queued, held or retrying run without running it')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Queue a failed or retrying run again, now')
            break
        }
        'hermes;help;runs;list' {
            break
        }
        'hermes;help;runs;show' {
            break
        }
        'hermes;help;runs;approve' {
            break
        }
        'hermes;help;runs;discard' {
            break
        }
        'hermes;help;runs;retry' {
            break
        }
        'hermes;help;setup' {
            break
        }
        'hermes;help;model' {
            break
        }
        'hermes;help;status' {
            break
        }
        'hermes;help;doctor' {
            break
        }
        'hermes;help;update' {
            break
        }
        'hermes;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
