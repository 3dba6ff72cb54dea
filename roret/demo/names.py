"""Fictitious names and places for the demo municipality (common Danish names, no real persons)."""

FIRST_NAMES_F = [
    "Anne", "Mette", "Kirsten", "Hanne", "Susanne", "Lene", "Maria", "Marianne", "Camilla", "Louise",
    "Charlotte", "Pia", "Tina", "Julie", "Sofie", "Emma", "Ida", "Freja", "Laura", "Sara", "Karen",
    "Inge", "Birgit", "Helle", "Trine", "Signe", "Mathilde", "Clara", "Nanna", "Line", "Rikke", "Maja",
]
FIRST_NAMES_M = [
    "Peter", "Jens", "Lars", "Michael", "Henrik", "Thomas", "Søren", "Jan", "Niels", "Christian",
    "Martin", "Anders", "Morten", "Jesper", "Mads", "Rasmus", "Kasper", "Mikkel", "Frederik", "Jonas",
    "Emil", "Oliver", "William", "Lucas", "Magnus", "Ole", "Bent", "Kim", "Poul", "Torben", "Jakob", "Simon",
]
LAST_NAMES = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
    "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen", "Poulsen",
    "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen", "Mikkelsen", "Frederiksen", "Lund",
    "Holm", "Schmidt", "Eriksen", "Kristiansen", "Simonsen", "Clausen", "Svendsen", "Andreasen", "Iversen",
    "Østergaard", "Vestergaard", "Bak", "Dam", "Mogensen", "Juhl", "Kjær", "Lauridsen", "Skov", "Bech",
]
STREETS = [
    "Rorvej", "Kompasvej", "Ankergade", "Fyrvej", "Havnegade", "Sejlvej", "Bølgevej", "Mastevej",
    "Kølvandsvej", "Styrbordsvej", "Bagbordsvej", "Fjordvej", "Strandalle", "Lodsvej", "Skippergade",
]
DISTRICTS = ["Nord", "Syd", "Øst", "Vest", "Midtby"]
CITY = "Demoby"
POSTCODE = "9990"
RELATIVE_NAMES = ["Bente", "Erik", "Grethe", "Hans", "Jytte", "Knud", "Lis", "Preben", "Ruth", "Svend"]
