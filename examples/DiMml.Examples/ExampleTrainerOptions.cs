using DiMml.Torch.Training;

namespace DiMml.Examples;

/// <summary>The trainer settings the file-based examples (audio, video) share: the command line's epochs, width, seed and
/// threads, batch 32, learning rate 0.01, and the given modalities.</summary>
internal static class ExampleTrainerOptions
{
    public static T With<T>(T options, ExampleArguments args, params ModalityOptions[] modalities) where T : TrainerOptions
    {
        options.Epochs = args.Epochs;
        options.BatchSize = 32;
        options.LearningRate = 0.01;
        options.EmbeddingSize = args.Embedding;
        options.Seed = (int)args.Seed;
        options.NumberOfThreads = args.Threads;
        foreach (var m in modalities)
        {
            options.Modalities.Add(m);
        }

        return options;
    }
}
