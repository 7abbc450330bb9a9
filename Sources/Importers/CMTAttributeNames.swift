import CLibXML2
import Foundation

/// Tells a `<field>`'s attributes apart by the pointer libxml2 hands for their names.
///
/// Over SAX2 every element and attribute name is interned in the parser's dictionary (`xmlDictLookup`
/// in `xmlParseQName`), so a name has one address for the parser's whole life, and the dictionary
/// is freed only with the parser. A name is therefore compared by its bytes only until its address
/// is known, then by address: four `strcmp` per attribute were 2 % of a CMT preview's samples.
/// An address not yet known falls back to the bytes, so a dictionary that handed out two addresses
/// for one name would cost time, never a wrong answer. One per parser (a reader's builder).
struct CMTAttributeNames {
    enum Name { case name, value, lookupEntity, lookupEntityName }

    private var name: UnsafePointer<xmlChar>?
    private var value: UnsafePointer<xmlChar>?
    private var lookupEntity: UnsafePointer<xmlChar>?
    private var lookupEntityName: UnsafePointer<xmlChar>?

    mutating func which(_ attribute: UnsafePointer<xmlChar>) -> Name? {
        if attribute == name { return .name }
        if attribute == value { return .value }
        if attribute == lookupEntity { return .lookupEntity }
        if attribute == lookupEntityName { return .lookupEntityName }
        if CMTRecordBuilder.isNamed(attribute, "name") {
            name = attribute
            return .name
        }
        if CMTRecordBuilder.isNamed(attribute, "value") {
            value = attribute
            return .value
        }
        if CMTRecordBuilder.isNamed(attribute, "lookupentity") {
            lookupEntity = attribute
            return .lookupEntity
        }
        if CMTRecordBuilder.isNamed(attribute, "lookupentityname") {
            lookupEntityName = attribute
            return .lookupEntityName
        }
        return nil
    }
}
