package dev.kbackup.bench.data;

import dev.kbackup.format.BackupHeader;
import dev.kbackup.format.BackupRecord;
import dev.kbackup.format.TimestampKind;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Order events as an e-commerce service would publish them: the same field names in every record, values drawn from
 * realistic pools (customers, products, cities, statuses), random identifiers that do not compress (event, session,
 * device, transaction and trace ids, an IP address), random amounts, and 1 to 3 line items: about 1.2 KB on average,
 * and zstd-3 shrinks a stream of them about 6 times.
 */
final class OrderEvents implements DataSet.RecordGenerator {

    private static final String[] EVENT_TYPES = {"OrderCreated", "OrderCreated", "OrderConfirmed", "OrderShipped",
        "OrderCancelled"};
    private static final String[] STATUSES = {"CREATED", "CONFIRMED", "PAID", "SHIPPED", "CANCELLED"};
    private static final String[] CHANNELS = {"web", "mobile-ios", "mobile-android", "store", "partner-api"};
    private static final String[] CURRENCIES = {"EUR", "EUR", "EUR", "USD", "GBP", "CHF"};
    private static final String[] CATEGORIES = {"kitchen", "apparel", "outdoor", "stationery", "electronics",
        "home", "toys", "beauty"};
    private static final String[] ADJECTIVES = {"Stainless steel", "Organic cotton", "Recycled", "Waterproof",
        "Ergonomic", "Compact", "Premium", "Classic", "Lightweight", "Insulated"};
    private static final String[] NOUNS = {"water bottle", "t-shirt", "hiking backpack", "notebook", "desk lamp",
        "coffee mug", "rain jacket", "wireless charger", "yoga mat", "cutting board", "travel pillow",
        "sunglasses"};
    private static final String[] SIZES = {"S", "M", "L", "XL", "500ml", "750ml", "1l", "A5", "A4", "one size"};
    private static final String[] CITIES = {"Berlin|10115|DE", "Hamburg|20095|DE", "Munich|80331|DE",
        "Vienna|1010|AT", "Zurich|8001|CH", "Amsterdam|1012|NL", "Paris|75001|FR", "Lyon|69001|FR",
        "Madrid|28001|ES", "Milan|20121|IT", "London|EC1A|GB", "Dublin|D01|IE"};
    private static final String[] STREETS = {"Lindenstrasse", "Hauptstrasse", "Bahnhofstrasse", "Rue de la Paix",
        "Calle Mayor", "Via Roma", "High Street", "Kerkstraat", "Station Road", "Schillerweg"};
    private static final String[] SHIPPING = {"standard", "standard", "express", "pickup"};
    private static final String[] PAYMENT_METHODS = {"card", "card", "paypal", "sepa-debit", "apple-pay",
        "klarna"};
    private static final String[] PROVIDERS = {"stripe", "adyen", "paypal"};
    private static final String[] TAGS = {"first-order", "gift", "newsletter", "loyalty-gold", "loyalty-silver",
        "promo-spring", "b2b", "returning"};
    private static final String[] FIRST_NAMES = {"Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta",
        "Hugo", "Ines", "Jonas", "Katrin", "Lukas", "Marie", "Noah", "Olivia", "Paul", "Quentin", "Rosa", "Samuel",
        "Tara", "Ulrich", "Vera", "Wim", "Yara", "Zoe", "Amir", "Bianca", "Carlos", "Dana", "Emil"};
    private static final String[] LAST_NAMES = {"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
        "Wagner", "Becker", "Dubois", "Martin", "Bernard", "Rossi", "Russo", "García", "Fernández", "Smith",
        "Jones", "Taylor", "de Vries", "Jansen", "Novak", "Kowalski", "Nielsen", "Larsen", "Horvat", "Popescu"};
    private static final String[] DOMAINS = {"example.com", "mail.example", "post.example", "inbox.example"};
    private static final String[] USER_AGENTS = {"Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8)", "okhttp/4.12.0", "ShopApp/7.3.1 (iOS 17.5)"};
    private static final String[] NOTES = {"", "", "", "Please leave the parcel with the neighbour",
        "Gift wrap, no invoice in the box", "Call before delivery", "Deliver after 5 pm",
        "Side entrance, ring twice"};
    private static final int CUSTOMERS = 50_000;
    private static final int PRODUCTS = 2_000;
    private static final byte[] CONTENT_TYPE = "application/json".getBytes(StandardCharsets.US_ASCII);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final SplittableRandom random;
    private final StringBuilder json = new StringBuilder(2048);
    private long offset;
    private long timestamp = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private long orderNumber = 10_000_000;

    OrderEvents(long seed) {
        random = new SplittableRandom(seed);
    }

    @Override
    public BackupRecord next() {
        timestamp += random.nextInt(3);
        orderNumber += 1 + random.nextInt(3);
        int customer = random.nextInt(CUSTOMERS);
        String customerId = String.format(Locale.ROOT, "CUST-%06d", customer);
        json.setLength(0);
        json.append("{\"eventType\":\"").append(pick(EVENT_TYPES))
                .append("\",\"eventId\":\"").append(uuid())
                .append("\",\"schemaVersion\":3,\"orderId\":\"ORD-").append(orderNumber)
                .append("\",\"customerId\":\"").append(customerId)
                .append("\",\"customer\":{\"name\":\"").append(FIRST_NAMES[customer % FIRST_NAMES.length]).append(' ')
                .append(LAST_NAMES[(customer / FIRST_NAMES.length) % LAST_NAMES.length])
                .append("\",\"email\":\"").append(FIRST_NAMES[customer % FIRST_NAMES.length].toLowerCase(Locale.ROOT))
                .append('.').append(customer).append('@').append(DOMAINS[customer % DOMAINS.length])
                .append("\"},\"session\":{\"id\":\"").append(hex(8))
                .append("\",\"ip\":\"").append(10 + random.nextInt(200)).append('.').append(random.nextInt(256))
                .append('.').append(random.nextInt(256)).append('.').append(random.nextInt(256))
                .append("\",\"userAgent\":\"").append(pick(USER_AGENTS))
                .append("\",\"deviceId\":\"").append(hex(8))
                .append("\"},\"loyaltyPoints\":").append(random.nextInt(100_000))
                .append(",\"createdAt\":\"").append(java.time.Instant.ofEpochMilli(timestamp))
                .append("\",\"status\":\"").append(pick(STATUSES))
                .append("\",\"channel\":\"").append(pick(CHANNELS))
                .append("\",\"currency\":\"").append(pick(CURRENCIES))
                .append("\",\"items\":[");
        int items = 1 + random.nextInt(3);
        long subtotalCents = 0;
        for (int i = 0; i < items; i++) {
            int product = random.nextInt(PRODUCTS);
            int quantity = 1 + (random.nextInt(10) == 0 ? random.nextInt(9) : 0);
            long priceCents = 199 + (product * 7919L) % 19_800 + random.nextInt(100);
            subtotalCents += quantity * priceCents;
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"lineId\":").append(i + 1)
                    .append(",\"sku\":\"SKU-").append(10_000 + product)
                    .append("\",\"name\":\"").append(ADJECTIVES[product % ADJECTIVES.length]).append(' ')
                    .append(NOUNS[product % NOUNS.length]).append(' ').append(SIZES[product % SIZES.length])
                    .append("\",\"category\":\"").append(CATEGORIES[product % CATEGORIES.length])
                    .append("\",\"quantity\":").append(quantity)
                    .append(",\"unitPrice\":").append(money(priceCents))
                    .append('}');
        }
        String[] city = CITIES[customer % CITIES.length].split("\\|");
        long shippingCents = subtotalCents > 5000 ? 0 : 495;
        long taxCents = subtotalCents * 19 / 119;
        json.append("],\"shipping\":{\"method\":\"").append(pick(SHIPPING))
                .append("\",\"address\":{\"street\":\"").append(STREETS[customer % STREETS.length]).append(' ')
                .append(1 + customer % 180)
                .append("\",\"city\":\"").append(city[0])
                .append("\",\"postalCode\":\"").append(city[1])
                .append("\",\"country\":\"").append(city[2])
                .append("\"},\"estimatedDelivery\":\"").append(java.time.Instant.ofEpochMilli(timestamp
                        + 86_400_000L * (2 + random.nextInt(5))).toString(), 0, 10)
                .append("\"},\"payment\":{\"method\":\"").append(pick(PAYMENT_METHODS))
                .append("\",\"provider\":\"").append(pick(PROVIDERS))
                .append("\",\"transactionId\":\"txn_").append(hex(12))
                .append("\",\"captured\":").append(random.nextInt(4) != 0)
                .append("},\"totals\":{\"subtotal\":").append(money(subtotalCents))
                .append(",\"tax\":").append(money(taxCents))
                .append(",\"shipping\":").append(money(shippingCents))
                .append(",\"grandTotal\":").append(money(subtotalCents + shippingCents))
                .append("},\"tags\":[\"").append(pick(TAGS)).append("\",\"").append(pick(TAGS))
                .append("\"],\"note\":\"").append(pick(NOTES))
                .append("\"}");
        byte[] key = customerId.getBytes(StandardCharsets.US_ASCII);
        byte[] value = json.toString().getBytes(StandardCharsets.UTF_8);
        List<BackupHeader> headers = List.of(
                new BackupHeader("trace-id", hex(16).getBytes(StandardCharsets.US_ASCII)),
                new BackupHeader("content-type", CONTENT_TYPE));
        return new BackupRecord(offset++, timestamp, TimestampKind.CREATE_TIME, key, value, headers);
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String money(long cents) {
        return cents / 100 + "." + (cents % 100 < 10 ? "0" : "") + cents % 100;
    }

    private String uuid() {
        String hex = hex(16);
        return hex.substring(0, 8) + '-' + hex.substring(8, 12) + '-' + hex.substring(12, 16) + '-'
                + hex.substring(16, 20) + '-' + hex.substring(20);
    }

    private String hex(int bytes) {
        char[] chars = new char[bytes * 2];
        for (int i = 0; i < bytes; i++) {
            int b = random.nextInt(256);
            chars[2 * i] = HEX[b >>> 4];
            chars[2 * i + 1] = HEX[b & 15];
        }
        return new String(chars);
    }
}
