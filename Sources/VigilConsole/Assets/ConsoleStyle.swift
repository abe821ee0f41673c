/// The console's stylesheet, served as /console/static/console.css.
enum ConsoleStyle {
    static let source = """
    body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
    header { display: flex; align-items: center; gap: 1.5em; padding: .5em 1em; background: #263238; color: #eee; }
    header a { color: #cfd8dc; text-decoration: none; margin-right: 1em; }
    header a.current { color: #fff; border-bottom: 2px solid #4fc3f7; }
    .brand { font-weight: bold; } .host { color: #90a4ae; }
    .logout { margin-left: auto; }
    main { padding: 1em; }
    h2 { font-size: 1.1em; margin: 1.2em 0 .4em; border-bottom: 1px solid #ddd; }
    h3 { font-size: 1em; margin: 0 0 .3em; } h3 small { color: #888; font-weight: normal; }
    .summary { display: flex; gap: 2em; flex-wrap: wrap; }
    .summary .label { display: block; color: #777; font-size: .85em; }
    .summary .value { font-size: 1.2em; }
    dl { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: .2em 0; }
    dt { color: #555; } dd { margin: 0; }
    table { border-collapse: collapse; margin: .3em 0; }
    th, td { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
    th { background: #eceff1; }
    .ok { color: #2e7d32; } .warning, .problems { color: #b71c1c; } .muted { color: #888; }
    .ranges a { margin: 0 .3em; } .ranges a.current { font-weight: bold; }
    .containers { display: grid; grid-template-columns: 1fr; gap: .8em; }
    .container { background: #fff; border: 1px solid #ddd; padding: .6em; }
    .meta { color: #666; margin: 0 0 .3em; }
    .tag { display: inline-block; background: #eceff1; border-radius: 3px; padding: 0 .4em; margin: 1px; font-size: .85em; }
    .state { font-size: .8em; padding: 0 .4em; border-radius: 3px; background: #eee; }
    .state-running { background: #c8e6c9; }
    .plots { display: grid; grid-template-columns: 1fr 1fr; gap: .8em; }
    .plot-frame { margin: 0; } figcaption { color: #555; font-size: .9em; }
    .plot { height: 180px; width: 100%; }
    .plot-frame.wide .plot { height: 360px; }
    .plot.empty { color: #888; display: flex; align-items: center; justify-content: center; border: 1px dashed #ccc; }
    .explorer label { margin-right: 1em; }
    """
}
