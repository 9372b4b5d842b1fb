using Coffer.Cli;

return await CofferCli.RunAsync(args, Console.Out, Console.Error);
