using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace DiMml.Examples;

/// <summary>Prints the DI-MML trainer's messages from <c>MLContext.Log</c> (one line per epoch) to the console.</summary>
internal static class ExampleLog
{
    public static void Attach(MLContext ml) => ml.Log += (_, e) =>
    {
        if (e.Source.StartsWith(nameof(DiMmlTrainer), StringComparison.Ordinal) && e.Kind != ChannelMessageKind.Trace)
        {
            Console.WriteLine("  " + e.Message);
        }
    };
}
