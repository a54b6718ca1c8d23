// Serves the model zip named by the setting DiMml:ModelPath under /model (DiMml:Prefix), with the options of section DiMml
// (for example DiMml:MaxBatchRows); `dotnet run -- --DiMml:ModelPath=model.zip`.
using DiMml;

var builder = WebApplication.CreateBuilder(args);
var modelPath = builder.Configuration["DiMml:ModelPath"]
    ?? throw new InvalidOperationException("Give the model file: --DiMml:ModelPath=model.zip (or the setting DiMml:ModelPath).");
builder.Services.AddDiMmlModel(modelPath);
builder.Services.Configure<DiMmlServingOptions>(builder.Configuration.GetSection("DiMml"));
var app = builder.Build();
app.MapDiMmlEndpoints(builder.Configuration["DiMml:Prefix"] ?? "/model");
app.Run();

/// <summary>The app's entry point, visible to WebApplicationFactory.</summary>
public partial class Program;
