using System.Net;
using MarketWatch.Web.Infrastructure.Security;

namespace MarketWatch.Tests.Features.Edge;

/// <summary>Finding 12: what a per-client limit counts by.</summary>
public sealed class ClientAddressTests
{
    [Test]
    public void Two_IPv6_addresses_in_one_64_share_a_key_and_another_64_does_not()
    {
        var a = ClientAddress.PartitionKey(IPAddress.Parse("2001:db8:1:2::1"));
        var b = ClientAddress.PartitionKey(IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:fffe"));
        var other = ClientAddress.PartitionKey(IPAddress.Parse("2001:db8:1:3::1"));
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.EqualTo("2001:db8:1:2::/64"));
        Assert.That(other, Is.Not.EqualTo(a));
    }

    [Test]
    public void IPv4_is_keyed_by_address_and_an_IPv4_mapped_IPv6_address_as_the_IPv4_it_carries()
    {
        Assert.That(ClientAddress.PartitionKey(IPAddress.Parse("198.51.100.7")), Is.EqualTo("198.51.100.7"));
        Assert.That(ClientAddress.PartitionKey(IPAddress.Parse("::ffff:198.51.100.7")), Is.EqualTo("198.51.100.7"));
        Assert.That(ClientAddress.PartitionKey(IPAddress.Parse("198.51.100.8")), Is.Not.EqualTo("198.51.100.7"));
        Assert.That(ClientAddress.PartitionKey(null), Is.EqualTo("unknown"));
    }
}
