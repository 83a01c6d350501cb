using Community.Client;
using Community.Client.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

// Drives the service through the generated client: a community, its platform, a member joining through the connector
// path, the Router's lookup, and a refusal read back as a typed problem. Prints one line per step; exits 1 on a surprise.
if (args is not [var baseUrl, var apiKey])
{
    Console.Error.WriteLine("usage: ClientCheck <base url> <service key with every scope>");
    return 2;
}

using var http = new HttpClient();
http.DefaultRequestHeaders.Add("X-API-Key", apiKey);
var client = new CommunityApiClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = baseUrl });
var v1 = client.Api.V1;
var name = $"Client Pond {Guid.NewGuid():N}"[..24];
var channel = $"pond-{Guid.NewGuid():N}"[..16];

var created = await v1.Communities.PostAsync(new CreateCommunityRequest
{
    Name = name,
    Description = "Made by the generated client.",
    Owner = new OwnerIdentity { Platform = "twitch", PlatformUserId = $"owner-{channel}", PlatformUsername = "mallard" },
});
var community = created?.Data ?? throw new InvalidOperationException("The create answer has no data.");
Console.WriteLine($"created community {community.Id} '{community.Name}' owned by {community.OwnerId}");

var read = await v1.Communities[community.Id!.Value].GetAsync();
Check(read?.Data?.Name == name, $"read back '{read?.Data?.Name}'");

var connection = await v1.Communities[community.Id.Value].Platforms.PostAsync(new ConnectPlatformRequest { Platform = "twitch", PlatformCommunityId = channel });
Console.WriteLine($"connected twitch channel {connection?.Data?.PlatformCommunityId}");

var joined = await v1.Members.Join.PostAsync(new ConnectorJoinReport
{
    Platform = "twitch", PlatformCommunityId = channel, PlatformUserId = $"viewer-{channel}", PlatformUsername = "teal",
});
Check(joined?.Data is { Created: true, Member.Role: "member" }, $"join answered created={joined?.Data?.Created} role={joined?.Data?.Member?.Role}");
Console.WriteLine($"joined hub user {joined!.Data!.HubUserId} as {joined.Data.Member!.Role} with reputation {joined.Data.Member.Reputation}");

var lookup = await v1.Lookup.GetAsync(c =>
{
    c.QueryParameters.Platform = "twitch";
    c.QueryParameters.PlatformCommunityId = channel;
    c.QueryParameters.PlatformUserId = $"viewer-{channel}";
});
Check(lookup?.Data is { Banned: false } found && found.Community?.Id == community.Id && found.Member?.HubUserId == joined.Data.HubUserId,
    "the lookup names the community and the member");
Console.WriteLine($"lookup: community {lookup!.Data!.Community!.Id}, member {lookup.Data.Member!.HubUserId} ({lookup.Data.Member.Status}), banned {lookup.Data.Banned}");

try
{
    await v1.Communities.PostAsync(new CreateCommunityRequest { Name = name, Owner = new OwnerIdentity { Platform = "twitch", PlatformUserId = "someone" } });
    Check(false, "a second community with the same name was created");
}
catch (Problem problem)
{
    Check(problem.ResponseStatusCode == 409 && problem.Code == Problem_code.Community_name_taken, $"the duplicate answered {problem.ResponseStatusCode} {problem.Code}");
    Console.WriteLine($"duplicate name refused: {problem.ResponseStatusCode} {problem.Code}");
}
return 0;

static void Check(bool condition, string what)
{
    if (condition) return;
    Console.Error.WriteLine($"unexpected: {what}");
    Environment.Exit(1);
}
