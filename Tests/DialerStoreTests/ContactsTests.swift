@testable import DialerStore
import Testing

/// Contact lists: contacts stored with their custom fields, counted, paged in the order added.
struct ContactsTests {
    @Test func contactsKeepTheirFieldsAndPageInTheOrderAdded() throws {
        let scratch = Scratch()
        let list = ContactList(name: "l", createdAt: 0)
        try scratch.store.insert(list)
        var ann = Contact(listId: list.id, phone: "+1", createdAt: 0)
        ann.firstName = "Ann"
        ann.fields = ["plan": "gold", "phone": "ignored"]
        let others = (2...5).map { Contact(listId: list.id, phone: "+\($0)", createdAt: 0) }
        try scratch.store.insert([ann] + others)
        #expect(try scratch.store.contact(id: ann.id) == ann)
        #expect(try scratch.store.contactCount(listID: list.id) == 5 && scratch.store.contactCounts() == [list.id: 5])
        let first = try scratch.store.contacts(listID: list.id, after: nil, limit: 2)
        let next = try scratch.store.contacts(listID: list.id, after: first.last?.id, limit: 10)
        #expect((first + next).map(\.phone) == ["+1", "+2", "+3", "+4", "+5"])
        #expect(ann.placeholderValues["phone"] == "+1" && ann.placeholderValues["plan"] == "gold" && ann.placeholderValues["first_name"] == "Ann")
    }

    @Test func deletingAListTakesItsContacts() throws {
        let scratch = Scratch()
        let list = ContactList(name: "l", createdAt: 0)
        try scratch.store.insert(list)
        try scratch.store.insert([Contact(listId: list.id, phone: "+1", createdAt: 0)])
        #expect(try scratch.store.deleteContactList(id: list.id))
        #expect(try !scratch.store.deleteContactList(id: list.id))
        #expect(try scratch.store.contactCount(listID: list.id) == 0 && scratch.store.contactLists().isEmpty)
    }
}
