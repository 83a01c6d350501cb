using System.Text.Json;
using Community.Api.Tests.Infrastructure;

namespace Community.Api.Tests.Invites;

/// <summary>The invite operations are documented: a summary, a description, and each refusal they can answer as problem details.</summary>
public sealed class InviteOpenApiTests(SqliteApp app) : ApiTest(app), IClassFixture<SqliteApp>
{
    [Theory]
    [InlineData("/api/v1/communities/{id}/invites", "post", "400 401 403 404 409")]
    [InlineData("/api/v1/communities/{id}/invites", "get", "400 401 403 404")]
    [InlineData("/api/v1/communities/{id}/invites/{code}", "delete", "401 403 404")]
    [InlineData("/api/v1/invites/{code}", "get", "401 403 404 409 429")]
    [InlineData("/api/v1/invites/{code}/accept", "post", "401 403 404 409 429")]
    public async Task EachOperationHasASummaryADescriptionAndItsErrorAnswers(string path, string method, string errors)
    {
        var document = JsonDocument.Parse(await App.Anonymous().GetStringAsync("/openapi/v1.json", Ct)).RootElement;
        var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method);

        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        Assert.True(operation.GetProperty("description").GetString()!.Length > 40);
        Assert.Equal(["Invites"], operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var responses = operation.GetProperty("responses");
        foreach (var status in errors.Split(' '))
            Assert.True(responses.TryGetProperty(status, out var response)
                && ApiDescription.ApiDocument.Resolve(document, response).GetProperty("content").TryGetProperty("application/problem+json", out _),
                $"{method} {path} does not document {status} as problem details.");
    }
}
